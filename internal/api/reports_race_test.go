//go:build race

package api_test

// raceDetector is true when the tests run with -race.
const raceDetector = true
