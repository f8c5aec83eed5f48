package mail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/usecase/mailing"
)

// Dir "delivers" messages by writing each as an .eml file (RFC 5322, the
// exact bytes SMTP would carry) in a folder: the all-in-one binary without
// SMTP settings uses it, so sending works out of the box and the messages
// can be opened with any mail client.
type Dir struct {
	path string
	from string
	now  func() time.Time
}

var _ Transport = (*Dir)(nil)

// NewDir creates the folder if needed (mode 0700: messages carry customer
// data) and returns the transport. from is the sender address.
func NewDir(path, from string, now func() time.Time) (*Dir, error) {
	if _, err := build(from, mailing.Message{To: []string{"probe@example.com"}}); err != nil {
		return nil, fmt.Errorf("mail folder: sender %q: %w", from, err)
	}
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("mail folder: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	return &Dir{path: path, from: from, now: now}, nil
}

// Path returns the folder.
func (d *Dir) Path() string { return d.path }

// Deliver writes the message to <folder>/<UTC time>-<message id>.eml. The
// file appears whole or not at all: it is written under a temporary name
// and renamed.
func (d *Dir) Deliver(ctx context.Context, m mailing.Message) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	msg, err := build(d.from, m)
	if err != nil {
		return "", err
	}
	id := messageID(msg)
	name := d.now().UTC().Format("20060102T150405.000000000Z") + "-" + safeName(id) + ".eml"
	f, err := os.CreateTemp(d.path, ".writing-*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	_, werr := msg.WriteTo(f)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, filepath.Join(d.path, name))
	}
	if werr != nil {
		_ = os.Remove(tmp)
		return "", werr
	}
	return id, nil
}

// safeName keeps letters, digits, '.', '-' and '_' of s.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}
