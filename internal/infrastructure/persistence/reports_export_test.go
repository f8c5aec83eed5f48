package persistence

// CompileNamed exposes compileNamed to the external tests.
func CompileNamed(dialect, src string) (text string, args []string, err error) {
	q, err := compileNamed(dialect, src)
	return q.text, q.args, err
}
