package report

import "github.com/stationbench/stationbench/result"

// byStep returns the runs grouped by step for reading (result.ByStep).
func byStep(runs []result.Run) []result.Run { return result.ByStep(runs) }
