package mail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/usecase/mailing"
)

func TestClassify(t *testing.T) {
	dialErr := func(errno syscall.Errno) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errno)}
	}
	for _, c := range []struct {
		name  string
		err   error
		class mailing.FailureClass
		code  int
	}{
		{"invalid payload", &PayloadError{Reason: "no recipient"}, mailing.Permanent, 0},
		{"connection refused", &SessionError{Err: dialErr(syscall.ECONNREFUSED)}, mailing.Transient, 0},
		{"connection reset", &SessionError{Err: dialErr(syscall.ECONNRESET)}, mailing.Transient, 0},
		{"greeting timeout", &SessionError{Err: os.ErrDeadlineExceeded}, mailing.Transient, 0},
		{"421 greeting", &SessionError{Err: reply(421, "busy")}, mailing.Transient, 421},
		{"554 greeting: the server refuses us, not this message", &SessionError{Err: reply(554, "no service")}, mailing.Transient, 554},
		{"535 auth: our configuration", &SessionError{Err: fmt.Errorf("SMTP AUTH failed: %w", reply(535, "bad credentials"))}, mailing.Transient, 535},
		{"451 reply", reply(451, "4.3.0 try later"), mailing.Transient, 451},
		{"550 reply", reply(550, "5.1.1 unknown user"), mailing.Permanent, 550},
		{"553 reply", reply(553, "5.1.3 bad address"), mailing.Permanent, 553},
		{"530 reply", reply(530, "5.7.0 authentication required"), mailing.Transient, 530},
		{"deadline", context.DeadlineExceeded, mailing.Transient, 0},
		{"reset mid-transfer", fmt.Errorf("write: %w", syscall.ECONNRESET), mailing.Transient, 0},
		{"eof", io.ErrUnexpectedEOF, mailing.Transient, 0},
		{"unknown", errors.New("something odd"), mailing.Transient, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			class, code := Classify(c.err)
			require.Equal(t, c.class, class)
			require.Equal(t, c.code, code)
		})
	}
}
