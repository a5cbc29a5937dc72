package runner

import (
	"bufio"
	"bytes"
	"os"
	"strconv"

	"github.com/stationbench/stationbench/result"
)

// endRSS ends a step's window: out gets its peak resident set (and a note
// when it was sampled), and the run keeps the process's peak so far,
// which the window's reset of the kernel's figure would otherwise lose.
func (r *run) endRSS(w *rssWindow, out *result.Run) {
	peak, before, note := w.end()
	out.PeakRSSBytes = peak
	r.peakRSS = max(r.peakRSS, before, peak)
	if note != "" {
		out.Notes = append(out.Notes, note)
	}
}

// procStatusBytes is the figure of a "Key:   N kB" line of a
// /proc/PID/status file at path (key with its colon, e.g. "VmHWM:"), in
// bytes; 0 when the file or the line cannot be read.
func procStatusBytes(path, key string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		v, ok := bytes.CutPrefix(sc.Bytes(), []byte(key))
		if !ok {
			continue
		}
		if f := bytes.Fields(v); len(f) >= 1 {
			if kb, err := strconv.ParseInt(string(f[0]), 10, 64); err == nil {
				return kb * 1024
			}
		}
		return 0
	}
	return 0
}
