//go:build !linux

package workers

import "time"

// fineSleep sleeps for d with Go's timer where nanosleep(2) is not used;
// the pacer's active wait makes up for a late wake-up, within its slack.
func fineSleep(d time.Duration) { time.Sleep(d) }
