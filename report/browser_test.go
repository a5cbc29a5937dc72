//go:build browser

// The browser test opens report.html in headless Chromium and checks what a
// person would see: every chart drawn (an <svg> with a non-zero size and
// painted pixels in a screenshot) and nothing fetched from the network. It
// needs Debian's chromium package, so it sits behind the build tag
// "browser"; `make test-browser` installs chromium and runs it.

package report

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stationbench/stationbench/result"
)

// envBrowserRequired, when set (`make test-browser` sets it), turns a
// missing chromium from a skip into a failure, so CI cannot pass by
// skipping.
const envBrowserRequired = "STATIONBENCH_BROWSER_REQUIRED"

// envScreenshotDir, when set, names a directory to keep the screenshots in;
// by default they go to the test's temporary directory.
const envScreenshotDir = "STATIONBENCH_SCREENSHOT_DIR"

// pageSVG is what the page says about one <svg>: its box in CSS pixels,
// relative to the document, and whether it is a chart (not nested).
type pageSVG struct {
	X, Y, W, H float64
	Top        bool
}

// pageFacts is what the measuring script returns.
type pageFacts struct {
	SVGs      []pageSVG
	Resources []string // performance entries of type "resource"
	Width     float64  // document width in CSS pixels
}

// measureJS measures every <svg> with getBoundingClientRect and lists the
// resources the page fetched, from the browser's own Resource Timing.
const measureJS = `(() => {
  const svgs = Array.from(document.querySelectorAll('svg')).map(s => {
    const r = s.getBoundingClientRect();
    return {X: r.left + window.scrollX, Y: r.top + window.scrollY, W: r.width, H: r.height,
            Top: s.parentElement === null || s.parentElement.closest('svg') === null};
  });
  return {SVGs: svgs,
          Resources: performance.getEntriesByType('resource').map(e => e.name),
          Width: document.documentElement.scrollWidth};
})()`

// TestBrowserReport writes the full report of two results (the committed
// quickstart example and the two-target sweep fixture) with WriteAll and
// checks each report.html in Chromium.
func TestBrowserReport(t *testing.T) {
	bin := findChromium(t)
	quick, err := result.ReadJSON(filepath.Join("testdata", "quickstart.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]*result.Result{"quickstart": quick, "closed": closedResult(t)} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := WriteAll(dir, r); err != nil {
				t.Fatalf("WriteAll: %v", err)
			}
			checkPage(t, bin, filepath.Join(dir, FileHTML), len(Charts(r)))
		})
	}
}

// findChromium returns the chromium binary, or skips the test (fails it
// when envBrowserRequired is set) when none is installed.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "chromium is not installed; `make test-browser` installs Debian's chromium package and runs this test"
	if os.Getenv(envBrowserRequired) != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// checkPage opens the HTML file at path in a fresh headless Chromium,
// records every request the page makes, measures the SVGs, takes a
// screenshot and checks that wantCharts charts rendered and that only the
// page itself (and data: URLs) was loaded.
func checkPage(t *testing.T, bin, path string, wantCharts int) {
	t.Helper()
	pageURL := (&url.URL{Scheme: "file", Path: path}).String()
	var chromeOut lockedBuffer // chromium writes it from its own goroutine
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Any host name fails to resolve: a stray fetch fails fast and is
		// still recorded below, rather than hanging or reaching out.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
		chromedp.WindowSize(1280, 1000),
		chromedp.CombinedOutput(&chromeOut),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()

	var mu sync.Mutex
	var requests, failed []string
	urls := map[network.RequestID]string{}
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithListener(func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, e.Request.URL)
			urls[e.RequestID] = e.Request.URL
		case *network.EventLoadingFailed:
			failed = append(failed, fmt.Sprintf("%s: %s", urls[e.RequestID], e.ErrorText))
		}
	}))
	defer cancelTab()
	defer func() {
		if t.Failed() {
			t.Logf("chromium output (dbus lines left out):\n%s", chromiumLog(chromeOut.String(), 4000))
		}
	}()

	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("open %s: %v", pageURL, err)
	}
	facts, err := chromedp.Run(ctx, chromedp.Evaluate[pageFacts](measureJS))
	if err != nil {
		t.Fatalf("measure page: %v", err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	shotDir := t.TempDir()
	if d := os.Getenv(envScreenshotDir); d != "" { // keep it, e.g. as a CI artifact
		shotDir = d
	}
	shotPath := filepath.Join(shotDir, strings.ReplaceAll(t.Name(), "/", "_")+".png")
	if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s (%d bytes), %d <svg>", shotPath, len(shot), len(facts.SVGs))

	// The page rendered every chart, each with a size.
	var charts []pageSVG
	for i, s := range facts.SVGs {
		if s.W <= 0 || s.H <= 0 {
			t.Errorf("<svg> %d has size %.0fx%.0f, want non-zero", i, s.W, s.H)
		}
		if s.Top {
			charts = append(charts, s)
		}
	}
	if len(charts) != wantCharts || wantCharts == 0 { // a chart that fails shows its error instead
		t.Errorf("page shows %d charts, want %d (and at least one)", len(charts), wantCharts)
	}

	// Nothing came from the network: the only request is the page itself.
	mu.Lock()
	reqs, fails := append([]string(nil), requests...), append([]string(nil), failed...)
	mu.Unlock()
	sawPage := false
	for _, u := range reqs {
		switch {
		case u == pageURL:
			sawPage = true
		case strings.HasPrefix(u, "data:"):
		default:
			t.Errorf("page requested %s; the report must load nothing", u)
		}
	}
	if !sawPage { // proves the listener saw the page's own request
		t.Errorf("no request for the page itself among %q: the request log is not working", reqs)
	}
	if len(fails) > 0 {
		t.Errorf("failed loads: %q", fails)
	}
	for _, u := range facts.Resources {
		if !strings.HasPrefix(u, "data:") {
			t.Errorf("resource timing lists %s; the report must load nothing", u)
		}
	}

	checkScreenshot(t, shot, facts.Width, charts)
}

// checkScreenshot decodes the PNG and checks that it is not blank and that
// the region of every chart holds more than one colour, so the SVGs were
// painted, not just laid out. width is the document width in CSS pixels,
// for the device scale.
func checkScreenshot(t *testing.T, shot []byte, width float64, charts []pageSVG) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() < 100 || b.Dy() < 100 || width <= 0 {
		t.Fatalf("screenshot is %dx%d (document width %.0f), too small", b.Dx(), b.Dy(), width)
	}
	scale := float64(b.Dx()) / width
	colours := func(x0, y0, x1, y1 int) int {
		seen := map[[4]uint32]bool{}
		for y := max(y0, b.Min.Y); y < min(y1, b.Max.Y); y += 2 {
			for x := max(x0, b.Min.X); x < min(x1, b.Max.X); x += 2 {
				r, g, bl, a := img.At(x, y).RGBA()
				seen[[4]uint32{r, g, bl, a}] = true
				if len(seen) > 16 {
					return len(seen)
				}
			}
		}
		return len(seen)
	}
	if n := colours(b.Min.X, b.Min.Y, b.Max.X, b.Max.Y); n < 3 {
		t.Errorf("screenshot has %d colours: blank", n)
	}
	for i, c := range charts {
		x0, y0 := int(c.X*scale), int(c.Y*scale)
		x1, y1 := int((c.X+c.W)*scale), int((c.Y+c.H)*scale)
		if y0 >= b.Max.Y {
			t.Errorf("chart %d at y=%d lies below the screenshot (height %d)", i, y0, b.Dy())
			continue
		}
		if n := colours(x0, y0, x1, y1); n < 3 {
			t.Errorf("chart %d (%dx%d px) shows %d colours: not painted", i, x1-x0, y1-y0, n)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// chromiumLog returns the last n bytes of chromium's output without the
// lines about D-Bus, which a container lacks and which say nothing about
// the page.
func chromiumLog(out string, n int) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if !strings.Contains(l, "dbus") && !strings.Contains(l, "DBus") {
			keep = append(keep, l)
		}
	}
	s := strings.Join(keep, "\n")
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
