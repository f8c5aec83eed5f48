// Package mailtest runs a real SMTP server in the test process
// (github.com/emersion/go-smtp) whose replies a test scripts per stage
// (4xx, 5xx, rejected recipients), which can go down and come back on the
// same port, and which keeps what it received; plus a port nobody listens
// on (connection refused) and a server that accepts and never answers
// (timeout). For tests only.
package mailtest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Stage is a step of the SMTP transaction a rule can answer.
type Stage string

// The stages.
const (
	StageMail Stage = "MAIL" // arg: the sender
	StageRcpt Stage = "RCPT" // arg: the recipient
	StageData Stage = "DATA" // arg: "", after the data was read
)

// Rule answers a stage: nil accepts, an error (Reply) refuses.
type Rule func(stage Stage, arg string) error

// Reply builds an SMTP reply error, e.g. Reply(451, "4.3.0 try later"); a
// leading enhanced status code is sent as such.
func Reply(code int, msg string) error {
	e := &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: msg}
	if first, rest, ok := strings.Cut(msg, " "); ok {
		var c smtp.EnhancedCode
		if n, err := fmt.Sscanf(first, "%d.%d.%d", &c[0], &c[1], &c[2]); err == nil && n == 3 {
			e.EnhancedCode, e.Message = c, rest
		}
	}
	return e
}

// Options configure a Server.
type Options struct {
	Rule Rule
	// Username and Password require AUTH PLAIN with these credentials.
	Username, Password string
	// TLS, when set, offers STARTTLS with this configuration, or, with
	// Implicit, speaks TLS from the first byte.
	TLS      *tls.Config
	Implicit bool
	// HoldQuit withholds the reply to QUIT (on plain connections) until
	// ReleaseQuit: a server slow to close the session after it accepted
	// the message.
	HoldQuit bool
}

// Received is one accepted message.
type Received struct {
	From string
	To   []string
	Data []byte
}

// Server is an in-process SMTP server.
type Server struct {
	// Addr is host:port; Host and Port its parts.
	Addr string
	Host string
	Port int

	opts Options
	mu   sync.Mutex
	srv  *smtp.Server
	ln   net.Listener
	rule Rule
	msgs []Received
	hits map[Stage]int
	conn int
	got  chan struct{} // signalled on each accepted message

	quitHeld    int           // QUIT replies being withheld now
	quitRelease chan struct{} // closed by ReleaseQuit
}

// Start starts a server on a free 127.0.0.1 port; it stops at the end of
// the test.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	ln, err := listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	a := ln.Addr().(*net.TCPAddr)
	s := &Server{Addr: a.String(), Host: "127.0.0.1", Port: a.Port, opts: o, rule: o.Rule, hits: map[Stage]int{},
		got: make(chan struct{}, 1), quitRelease: make(chan struct{})}
	if !o.HoldQuit {
		close(s.quitRelease)
	}
	s.serve(ln)
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) serve(ln net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		s.mu.Lock()
		s.conn++
		s.mu.Unlock()
		return &session{s: s}, nil
	}))
	srv.Domain = "mailtest.local"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	srv.MaxMessageBytes = 32 << 20
	srv.ErrorLog = quietLog{}
	if s.opts.TLS != nil {
		srv.TLSConfig = s.opts.TLS
		if s.opts.Implicit {
			ln = tls.NewListener(ln, s.opts.TLS)
		}
	} else {
		ln = quitListener{Listener: ln, s: s}
	}
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }() // ends when Stop closes the listener
}

// Stop takes the server down: the port refuses connections until Restart.
// Withheld QUIT replies are released.
func (s *Server) Stop() {
	s.ReleaseQuit()
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if ln != nil {
		// Closed here too: Serve may not have registered it with the
		// server yet.
		_ = ln.Close()
	}
	if srv != nil {
		_ = srv.Close()
	}
}

// Restart brings a stopped server back on the same port.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	var ln net.Listener
	var err error
	// The port was just released; binding it again can take a moment
	// while the kernel finishes closing the old socket.
	for range 100 {
		if ln, err = listen(s.Addr); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("mailtest: listen again on %s: %v", s.Addr, err)
	}
	s.serve(ln)
}

// ReleaseQuit answers the withheld QUIT replies (Options.HoldQuit) and
// every later one at once.
func (s *Server) ReleaseQuit() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.quitRelease:
	default:
		close(s.quitRelease)
	}
}

// QuitsHeld returns how many QUIT replies are being withheld now.
func (s *Server) QuitsHeld() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.quitHeld
}

// quitListener hands out connections whose reply to QUIT (221) waits for
// ReleaseQuit. go-smtp answers QUIT as soon as it reads it, with no hook
// before the reply, so the hold sits on the connection's writes.
type quitListener struct {
	net.Listener
	s *Server
}

func (l quitListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return quitConn{Conn: c, s: l.s}, nil
}

type quitConn struct {
	net.Conn
	s *Server
}

func (c quitConn) Write(p []byte) (int, error) {
	if bytes.HasPrefix(p, []byte("221 ")) {
		c.s.mu.Lock()
		release := c.s.quitRelease
		c.s.quitHeld++
		c.s.mu.Unlock()
		<-release
		c.s.mu.Lock()
		c.s.quitHeld--
		c.s.mu.Unlock()
	}
	return c.Conn.Write(p)
}

// SetRule replaces the rule (nil accepts everything).
func (s *Server) SetRule(r Rule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rule = r
}

// Hits returns how many times a client reached stage (each RCPT counts).
func (s *Server) Hits(stage Stage) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[stage]
}

// Connections returns the number of SMTP sessions opened so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn
}

// Messages returns the accepted messages, in order.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// WaitMessages waits until at least n messages were accepted, failing the
// test after limit, and returns them.
func (s *Server) WaitMessages(t testing.TB, n int, limit time.Duration) []Received {
	t.Helper()
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	for {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		select {
		case <-s.got:
		case <-deadline.C:
			t.Fatalf("mailtest: %d message(s) within %s, want %d", len(s.Messages()), limit, n)
		}
	}
}

func (s *Server) answer(stage Stage, arg string) error {
	s.mu.Lock()
	s.hits[stage]++
	r := s.rule
	s.mu.Unlock()
	if r == nil {
		return nil
	}
	return r(stage, arg)
}

type session struct {
	s      *Server
	from   string
	to     []string
	authed bool
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.s.opts.Username || pass != ss.s.opts.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "invalid credentials"}
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.Username != "" && !ss.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	if err := ss.s.answer(StageMail, from); err != nil {
		return err
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.s.answer(StageRcpt, to); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := ss.s.answer(StageData, ""); err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, Received{From: ss.from, To: ss.to, Data: b})
	ss.s.mu.Unlock()
	select {
	case ss.s.got <- struct{}{}:
	default:
	}
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

type quietLog struct{}

func (quietLog) Printf(string, ...any) {}
func (quietLog) Println(...any)        {}

func listen(addr string) (net.Listener, error) {
	return (&net.ListenConfig{}).Listen(context.Background(), "tcp", addr)
}

// RefusedAddr returns a 127.0.0.1 address nobody listens on: connecting
// is refused.
func RefusedAddr(t testing.TB) (string, int) {
	t.Helper()
	ln, err := listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	a := ln.Addr().(*net.TCPAddr)
	_ = ln.Close()
	return "127.0.0.1", a.Port
}

// Silent starts a TCP server that accepts connections and never says a
// word, the way a hung SMTP server or a black-holed port behaves; it
// returns its host and port.
func Silent(t testing.TB) (string, int) {
	t.Helper()
	ln, err := listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	a := ln.Addr().(*net.TCPAddr)
	return "127.0.0.1", a.Port
}

// Parsed is a received message taken apart.
type Parsed struct {
	Header      netmail.Header
	Subject     string
	Text        string
	Attachments []Attachment
}

// Attachment is one attached file.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Parse decodes r's data: headers (RFC 2047 words decoded), the plain-text
// body and the attachments.
func (r Received) Parse() (Parsed, error) { return Parse(r.Data) }

// Parse decodes a message.
func Parse(data []byte) (Parsed, error) {
	m, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return Parsed{}, err
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return Parsed{}, fmt.Errorf("subject: %w", err)
	}
	p := Parsed{Header: m.Header, Subject: subject}
	err = walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Header.Get("Content-Disposition"), m.Body, &p)
	return p, err
}

func walk(ctype, cte, disp string, body io.Reader, p *Parsed) error {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return fmt.Errorf("content type %q: %w", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextPart() // decodes quoted-printable itself
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"),
				part.Header.Get("Content-Disposition"), part, p); err != nil {
				return err
			}
		}
	}
	r := body
	switch strings.ToLower(cte) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable": // a multipart part arrives decoded already
		r = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if d, dp, err := mime.ParseMediaType(disp); err == nil && d == "attachment" {
		p.Attachments = append(p.Attachments, Attachment{Name: dp["filename"], ContentType: mt, Data: b})
		return nil
	}
	if mt == "text/plain" {
		p.Text += string(b)
	}
	return nil
}

// TLSPair returns a server configuration with a fresh self-signed
// certificate for 127.0.0.1 and a client configuration that trusts it.
func TLSPair(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("mailtest: key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mailtest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("mailtest: certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("mailtest: certificate: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}, MinVersion: tls.VersionTLS12}
	client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	return server, client
}
