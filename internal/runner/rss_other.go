//go:build !linux

package runner

// rssMeter records no per-step peak where there is no /proc/self/status
// whose peak can be reset or sampled (result.Run.PeakRSSBytes stays 0).
type rssMeter struct{}

func newRSSMeter() rssMeter { return rssMeter{} }

type rssWindow struct{}

func (rssMeter) start() *rssWindow { return &rssWindow{} }

func (*rssWindow) end() (peak, before int64, note string) { return 0, 0, "" }
