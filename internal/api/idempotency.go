package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/usecase/idempotency"
)

// Idempotency headers (decision 0027).
const (
	HeaderIdempotencyKey      = "Idempotency-Key"
	HeaderIdempotentReplayed  = "Idempotent-Replayed"
	maxIdempotentResponseSize = 4_000_000 // the column's limit (domain.MaxStoredResponseLen)
)

// replayedHeaders are the response headers a replay repeats: what a
// client acts on (where the new resource is, its version, its type).
var replayedHeaders = []string{echo.HeaderContentType, echo.HeaderLocation, "ETag", echo.HeaderLastModified, echo.HeaderCacheControl}

// idempotent is the middleware of every guarded POST: with an
// Idempotency-Key header the request runs under idempotency.Service (its
// answer stored with its change, replayed to a retry); without one it runs
// as usual.
func idempotent(svc *idempotency.Service) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if svc == nil {
			return next
		}
		return func(c echo.Context) error {
			req := c.Request()
			key, present := req.Header[HeaderIdempotencyKey]
			if !present {
				return next(c)
			}
			if len(key) != 1 || !idempotency.ValidKey(key[0]) {
				return BadRequest("invalid_idempotency_key", idempotency.ErrInvalidKey.Message)
			}
			p, ok := PrincipalFrom(req.Context())
			if !ok {
				return next(c)
			}
			body, err := io.ReadAll(req.Body)
			if err != nil {
				return readError(err)
			}
			hash := idempotency.Hash(req.Method, req.URL.Path, body)
			orig := c.Response()
			var rec *recorder
			res, err := svc.Run(req.Context(), p.UserID, key[0], hash, func(ctx context.Context) (idempotency.Response, bool, error) {
				// From scratch on every attempt of the transaction.
				rec = newRecorder()
				c.SetRequest(req.WithContext(ctx))
				req := c.Request()
				req.Body = io.NopCloser(bytes.NewReader(body))
				c.SetResponse(echo.NewResponse(rec, c.Echo()))
				defer c.SetResponse(orig)
				if err := next(c); err != nil {
					return idempotency.Response{}, false, err
				}
				if rec.status < 200 || rec.status >= 300 {
					return idempotency.Response{}, false, nil // an error answer: nothing to store
				}
				if rec.body.Len() > maxIdempotentResponseSize {
					return idempotency.Response{}, false, errTooLargeToStore
				}
				return rec.stored(), true, nil
			})
			c.SetRequest(req)
			c.SetResponse(orig)
			if err != nil {
				if errors.Is(err, idempotency.ErrInProgress) {
					orig.Header().Set("Retry-After", "1")
				}
				return err
			}
			if res.Replayed {
				return replay(orig, res.Response)
			}
			return rec.flush(orig)
		}
	}
}

// errTooLargeToStore refuses (and so rolls back) a success whose answer
// could not be stored for a replay; no route answers that much.
var errTooLargeToStore = &Error{Status: http.StatusInternalServerError, Code: "response_too_large",
	Detail: "the answer is too large to store for Idempotency-Key replays; nothing was changed; retry without the header"}

// readError maps a failed body read (the size limit, a slow client).
func readError(err error) error {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he
	}
	return err
}

func replay(w *echo.Response, r idempotency.Response) error {
	var h map[string]string
	if r.Headers != "" {
		if err := json.Unmarshal([]byte(r.Headers), &h); err != nil {
			return err
		}
	}
	for k, v := range h {
		w.Header().Set(k, v)
	}
	w.Header().Set(HeaderIdempotentReplayed, "true")
	w.Header().Set(echo.HeaderContentLength, strconv.Itoa(len(r.Body)))
	w.WriteHeader(r.Status)
	_, err := io.WriteString(w, r.Body)
	return err
}

// recorder holds a handler's answer until its transaction commits.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

func (r *recorder) stored() idempotency.Response {
	h := map[string]string{}
	for _, k := range replayedHeaders {
		if v := r.header.Get(k); v != "" {
			h[k] = v
		}
	}
	hb, _ := json.Marshal(h)
	return idempotency.Response{Status: r.status, Headers: string(hb), Body: r.body.String()}
}

func (r *recorder) flush(w *echo.Response) error {
	if r.status == 0 {
		return nil // the handler wrote nothing
	}
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.WriteHeader(r.status)
	_, err := w.Write(r.body.Bytes())
	return err
}
