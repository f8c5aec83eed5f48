package mail

import (
	"context"
	"testing"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/mail/mailtest"
)

// BenchmarkBreakerClosed is the breaker's cost on a send that goes
// through: one lock to enter, one to record.
func BenchmarkBreakerClosed(b *testing.B) {
	br := NewBreaker(FailureThreshold, ResetAfter, time.Now, nil)
	ok := func(context.Context) error { return nil }
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = br.Do(ctx, ok)
		}
	})
}

// BenchmarkBreakerOpen is the cost of a refusal while open.
func BenchmarkBreakerOpen(b *testing.B) {
	br := NewBreaker(1, time.Hour, time.Now, nil)
	_ = br.Do(context.Background(), func(context.Context) error { return errTransient })
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = br.Do(ctx, func(context.Context) error { panic("called while open") })
		}
	})
}

// BenchmarkSMTPSendWithPDF is one delivery of a message with a 20 KB PDF
// to an SMTP server in the same process, over loopback: connect, EHLO,
// MAIL, RCPT, DATA, QUIT.
func BenchmarkSMTPSendWithPDF(b *testing.B) {
	srv := mailtest.Start(b, mailtest.Options{})
	tr, err := NewSMTP(SMTPConfig{Host: srv.Host, Port: srv.Port, From: "billing@acme.test", TLS: TLSNone})
	if err != nil {
		b.Fatal(err)
	}
	s := NewSender(tr, Options{})
	m := invoiceMessage("a@customer.test")
	b.ResetTimer()
	for range b.N {
		if _, err := s.Send(context.Background(), m); err != nil {
			b.Fatal(err)
		}
	}
}
