package runner

import (
	"time"

	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
)

// StepInfo says which step is running.
type StepInfo struct {
	Index, Total     int // 1-based position among all steps of the run
	Target           string
	Step             scenarios.Step
	Repeat, Repeats  int
	Warmup, Duration time.Duration
}

// Tick is a live reading during a step.
type Tick struct {
	Elapsed    time.Duration // since load started (warmup included)
	Sent       int64         // messages sent so far, warmup included
	Acked      int64
	MsgsPerSec float64 // send rate since the previous tick
}

// Progress is told what a run is doing. Calls come from one goroutine.
type Progress interface {
	StepStarted(s StepInfo)
	Tick(s StepInfo, t Tick)
	StepFinished(s StepInfo, r result.Run)
}

type nopProgress struct{}

func (nopProgress) StepStarted(StepInfo)              {}
func (nopProgress) Tick(StepInfo, Tick)               {}
func (nopProgress) StepFinished(StepInfo, result.Run) {}
