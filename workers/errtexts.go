package workers

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/nats-io/nats.go"
	"github.com/stationbench/stationbench/result"
)

// maxErrTexts is how many distinct error texts one recorder keeps; later
// texts are counted as other errors.
const maxErrTexts = 8

// maxErrTextLen bounds one error text, so a server cannot grow a result.
const maxErrTextLen = 240

// otherErrors names the count of texts beyond those kept.
const otherErrors = "(other errors)"

// errTexts counts distinct error texts in a fixed table. One goroutine
// writes it; it is used only on the error path.
type errTexts struct {
	text  [maxErrTexts]string
	count [maxErrTexts]int64
	n     int
	other int64
}

// add counts one occurrence of text.
func (e *errTexts) add(text string) {
	if len(text) > maxErrTextLen {
		text = text[:maxErrTextLen] + "..."
	}
	for i := range e.n {
		if e.text[i] == text {
			e.count[i]++
			return
		}
	}
	if e.n == maxErrTexts {
		e.other++
		return
	}
	e.text[e.n], e.count[e.n] = text, 1
	e.n++
}

// list is the table as error texts, the texts beyond its room as other
// errors.
func (e *errTexts) list() []result.ErrorText {
	out := make([]result.ErrorText, 0, e.n+1)
	for i := range e.n {
		out = append(out, result.ErrorText{Text: e.text[i], Count: e.count[i]})
	}
	if e.other > 0 {
		out = append(out, result.ErrorText{Text: otherErrors, Count: e.other})
	}
	return out
}

// mergeErrorTexts adds the texts of tables into one list, most frequent
// first, with the texts beyond the tables' room summed as other errors.
func mergeErrorTexts(tables ...*errTexts) []result.ErrorText {
	lists := make([][]result.ErrorText, 0, len(tables))
	for _, t := range tables {
		lists = append(lists, t.list())
	}
	return MergeErrorTexts(lists, len(tables)*maxErrTexts)
}

// MergeErrorTexts merges lists of error texts (of several workers), most
// frequent first; at most limit are kept, the rest summed as other errors.
func MergeErrorTexts(lists [][]result.ErrorText, limit int) []result.ErrorText {
	var out []result.ErrorText
	idx := map[string]int{}
	for _, l := range lists {
		for _, e := range l {
			if i, ok := idx[e.Text]; ok {
				out[i].Count += e.Count
				continue
			}
			idx[e.Text] = len(out)
			out = append(out, e)
		}
	}
	var other int64
	if i, ok := idx[otherErrors]; ok {
		other = out[i].Count
		out = slices.Delete(out, i, i+1)
	}
	slices.SortStableFunc(out, func(a, b result.ErrorText) int { return cmp.Compare(b.Count, a.Count) })
	if len(out) > limit {
		for _, e := range out[limit:] {
			other += e.Count
		}
		out = out[:limit]
	}
	if other > 0 {
		out = append(out, result.ErrorText{Text: otherErrors, Count: other})
	}
	return out
}

// nakText is what a negative acknowledgement says: the JetStream API
// error's description, or the status of an empty reply (503: no stream
// captures the subject). Called only for negative acknowledgements.
func nakText(m *nats.Msg) string {
	var doc struct {
		Error *struct {
			Code        int    `json:"code"`
			ErrCode     int    `json:"err_code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if len(m.Data) > 0 && json.Unmarshal(m.Data, &doc) == nil && doc.Error != nil {
		return fmt.Sprintf("negative acknowledgement: %s (code %d, err_code %d)", doc.Error.Description, doc.Error.Code, doc.Error.ErrCode)
	}
	if m.Header.Get("Status") == "503" {
		return "negative acknowledgement: no responders (503): no stream captures the subject"
	}
	if len(m.Data) > 0 {
		return "negative acknowledgement: " + string(m.Data)
	}
	return "negative acknowledgement: empty reply " + m.Header.Get("Status")
}
