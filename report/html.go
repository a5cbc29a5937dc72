package report

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/stationbench/stationbench/result"
	"gopkg.in/yaml.v3"
)

// htmlPage is the data behind the HTML report.
type htmlPage struct {
	R           *result.Result
	Title       string
	Started     string
	Took        string
	Cols        []string
	Rows        [][]string
	Failures    []string
	RSSLegend   string // rss.go, when the table has RSS columns
	Rule        string
	Capacity    []htmlScaling
	CompareHead []string
	Compare     [][]string
	Charts      []htmlChart
	ScenarioYML string
	Observe     ObserveView // producers.go
	Spread      SpreadView  // spread.go

	// Verdicts fill the verdict box at the top of the page (verdicts.go).
	Verdicts  []VerdictGroup
	Lags      []string
	LagRule   string
	LagAdvice string
	Notes     []string // notes.go
}

// htmlScaling is one target's capacity analysis with its wording.
type htmlScaling struct {
	result.Scaling
	Verdict, FitText string
}

type htmlChart struct {
	Title string
	SVG   template.HTML // inline <svg>; empty when Err is set
	Err   string
}

// HTML writes r as one self-contained HTML page: the scenario, the
// environment, the run table, the comparison of targets, the capacity
// analysis (efficiency and USL fit) and every chart inline as SVG. The page
// loads nothing: no scripts, fonts, styles or images from anywhere. A chart
// that fails to render is replaced by its error. WriteAll and WritePage
// draw each chart once for its file and the page; HTML draws them itself.
func HTML(w io.Writer, r *result.Result) error {
	if r == nil {
		return errors.New("html: nil result")
	}
	var charts []htmlChart
	for _, c := range Charts(r) {
		b, err := c.Render("svg")
		charts = append(charts, pageChart(c, b, err))
	}
	return writeHTML(w, r, charts)
}

// pageChart is a chart drawn as SVG (b), or its error, for the page.
func pageChart(c Chart, b []byte, err error) htmlChart {
	hc := htmlChart{Title: c.Title}
	if err != nil {
		hc.Err = err.Error()
	} else {
		hc.SVG = inlineSVG(b)
	}
	return hc
}

// writeHTML writes the page with the charts already drawn.
func writeHTML(w io.Writer, r *result.Result, charts []htmlChart) error {
	if r == nil {
		return errors.New("html: nil result")
	}
	pg := htmlPage{R: r, Title: "stationbench: " + orDash(r.Scenario.Name), Charts: charts}
	if !r.StartedAt.IsZero() {
		pg.Started = r.StartedAt.UTC().Format(time.RFC3339)
		if r.FinishedAt.After(r.StartedAt) {
			pg.Took = r.FinishedAt.Sub(r.StartedAt).Round(time.Second).String()
		}
	}
	pg.Cols, pg.Rows, pg.Failures = runTable(r.Runs)
	if slices.Contains(pg.Cols, "RSS") {
		pg.RSSLegend = rssLegend
	}
	for _, c := range multiStep(capacities(r)) {
		pg.Capacity = append(pg.Capacity, htmlScaling{Scaling: c, Verdict: scalingVerdict(c), FitText: fitText(c)})
	}
	if len(pg.Capacity) > 0 {
		pg.Rule = efficiencyRule(pg.Capacity[0].Base)
	}
	pg.CompareHead, pg.Compare = Comparison(r)
	pg.Observe = Observe(r)
	pg.Spread = Spread(r)
	pg.Verdicts = Verdicts(r)
	for _, l := range deliveryLags(r) {
		pg.Lags = append(pg.Lags, lagText(l))
	}
	pg.LagRule, pg.LagAdvice = lagRule(), lagAdvice
	pg.Notes = NoteLines(r)
	if y, err := yaml.Marshal(r.Scenario); err == nil {
		pg.ScenarioYML = string(y)
	} else {
		pg.ScenarioYML = "cannot show the scenario: " + err.Error()
	}
	tmpl, err := template.New("report").Funcs(template.FuncMap{
		"pct": func(f float64) float64 { return 100 * f },
		"inc": func(i int) int { return i + 1 },
	}).Parse(htmlTemplate + htmlObserve + htmlSpread + htmlVerdicts)
	if err != nil {
		return fmt.Errorf("html: %w", err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, pg); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	return nil
}

// inlineSVG drops the XML declaration of a standalone SVG document so that
// it can sit inside HTML. gonum's SVG carries no ids, so several charts on
// one page cannot clash.
func inlineSVG(b []byte) template.HTML {
	s := string(b)
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:]
	}
	return template.HTML(s) // rendered by gonum/plot from our own data, text escaped by it
}

const htmlTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 62em; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
.status { display: inline-block; padding: 0.1em 0.6em; border-radius: 0.3em; background: #e6f4ea; }
.status.bad { background: #fde7e9; }
figure { margin: 1.5em 0; } figure svg { max-width: 100%; height: auto; }
pre { background: #f6f8fa; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.err { color: #b00020; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p><span class="status{{if ne .R.Status "complete"}} bad{{end}}">{{.R.Status}}</span>
{{- if .R.Error}} <span class="err">{{.R.Error}}</span>{{end}}
{{- if .Started}} started {{.Started}}{{if .Took}}, took {{.Took}}{{end}}{{end}}</p>
{{with .R.Scenario.Description}}<p>{{.}}</p>{{end}}
{{template "verdicts" .}}

<h2>Summary</h2>
{{if .Rows}}<table>
<thead><tr>{{range .Cols}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{with .RSSLegend}}<p>{{.}}</p>
{{end}}{{range $i, $f := .Failures}}<p class="err">[{{inc $i}}] {{$f}}</p>
{{end}}{{else}}<p>No runs.</p>{{end}}
{{if .Notes}}<h3>Notes</h3>
<ul>{{range .Notes}}<li>{{.}}</li>
{{end}}</ul>{{end}}

{{if .Lags}}<p class="err">Delivery lagged the publishers (core NATS, closed loop; said when {{.LagRule}}):</p>
<ul>{{range .Lags}}<li>{{.}}</li>{{end}}</ul>
<p>{{.LagAdvice}}.</p>{{end}}

{{if .Compare}}<h2>Comparison of targets</h2>
<table>
<thead><tr>{{range .CompareHead}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Compare}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table>{{end}}

{{if .Capacity}}<h2>Capacity</h2>
<p>{{.Rule}}.</p>
{{range .Capacity}}<h3>{{.Target}}</h3>
<p>{{.Verdict}}.</p>
<table>
<thead><tr><th>producers</th><th>msgs/s</th><th>efficiency</th><th>gain</th><th>needed</th><th>paid</th></tr></thead>
<tbody>{{range $i, $s := .Steps}}<tr><td>{{.Producers}}</td><td>{{printf "%.0f" .ThroughputMsgsPerSec}}</td><td>{{printf "%.2f" .Efficiency}}</td>{{if $i}}<td>{{printf "%+.1f%%" (pct .Gain)}}</td><td>{{printf "%+.1f%%" (pct .Need)}} over {{.Ref}}</td><td>{{if .Pays}}yes{{else}}no{{end}}</td>{{else}}<td>-</td><td>-</td><td>-</td>{{end}}</tr>
{{end}}</tbody>
</table>
<p>Universal Scalability Law: {{.FitText}}.</p>
{{end}}{{end}}

{{template "observe" .}}
{{template "spread" .Spread}}
<h2>Charts</h2>
{{range .Charts}}<figure>
<figcaption>{{.Title}}</figcaption>
{{if .Err}}<p class="err">{{.Err}}</p>{{else}}{{.SVG}}{{end}}
</figure>
{{end}}

<h2>Environment</h2>
<table>
<tr><td>stationbench</td><td>{{.R.Env.StationbenchVersion}}</td></tr>
<tr><td>Go</td><td>{{.R.Env.GoVersion}} {{.R.Env.GOOS}}/{{.R.Env.GOARCH}}</td></tr>
<tr><td>GOMAXPROCS / CPUs</td><td>{{.R.Env.GOMAXPROCS}} / {{.R.Env.NumCPU}}</td></tr>
{{with .R.Env.Hostname}}<tr><td>host</td><td>{{.}}</td></tr>{{end}}
{{range .R.Env.Targets}}<tr><td>target {{.Name}}</td><td>{{.Kind}}{{with .Transport}} over {{.}}{{end}} at {{.URL}}{{if .ServerVersion}}, server {{.ServerVersion}}{{end}}{{if .Error}} <span class="err">{{.Error}}</span>{{end}}</td></tr>
{{end}}</table>
{{with .R.Env.Method}}<p>{{.}}</p>{{end}}

<h2>Scenario</h2>
<pre>{{.ScenarioYML}}</pre>
</body>
</html>
`
