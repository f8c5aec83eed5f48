package apptest

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
)

var (
	specOnce   sync.Once
	specDoc    *openapi3.T
	specRouter routers.Router
	specErr    error
)

// Spec returns the parsed, validated OpenAPI document and its router.
func Spec(t testing.TB) (*openapi3.T, routers.Router) {
	t.Helper()
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		specDoc, specErr = loader.LoadFromData(api.OpenAPI)
		if specErr != nil {
			return
		}
		if specErr = specDoc.Validate(context.Background()); specErr != nil {
			return
		}
		specRouter, specErr = gorillamux.NewRouter(specDoc)
	})
	require.NoError(t, specErr, "internal/api/openapi.yaml is not a valid OpenAPI document")
	return specDoc, specRouter
}

// validate fails the test when res is not what the document describes for
// req (see check).
func validate(t testing.TB, req *http.Request, res *Response) {
	t.Helper()
	_, _ = Spec(t)
	require.NoError(t, check(req, res))
}

// check reports how res is not what the document describes for req:
// undocumented path or method, undocumented status, content type not
// declared for that status, or a body that does not match its schema. It
// needs no testing.TB, so concurrent clients can call it; Spec must have
// loaded the document first.
func check(req *http.Request, res *Response) error {
	if specErr != nil {
		return fmt.Errorf("internal/api/openapi.yaml is not valid: %w", specErr)
	}
	if specRouter == nil {
		return errors.New("internal/api/openapi.yaml is not loaded: call apptest.Spec first")
	}
	route, params, err := specRouter.FindRoute(req)
	if err != nil {
		// Requests the router itself answers (unknown route, wrong method)
		// may reach paths the document rightly does not list.
		if res.Status == http.StatusNotFound || res.Status == http.StatusMethodNotAllowed {
			if ct := res.Header.Get("Content-Type"); ct != api.ProblemContentType {
				return fmt.Errorf("content type %q, want %s: %s", ct, api.ProblemContentType, describe(req, res))
			}
			return nil
		}
		return fmt.Errorf("request not in openapi.yaml: %w: %s", err, describe(req, res))
	}
	op := route.Operation
	ref := op.Responses.Status(res.Status)
	if ref == nil {
		ref = op.Responses.Default()
	}
	if ref == nil {
		return fmt.Errorf("status %d is not documented for %s %s in openapi.yaml: %s", res.Status, req.Method, route.Path, describe(req, res))
	}
	content := ref.Value.Content
	if len(content) == 0 {
		if len(res.Body) != 0 {
			return fmt.Errorf("openapi.yaml documents no body for %d on %s %s: %s", res.Status, req.Method, route.Path, describe(req, res))
		}
		return nil
	}
	ct := res.Header.Get("Content-Type")
	if content.Get(ct) == nil {
		return fmt.Errorf("content type %q is not documented for %d on %s %s: %s", ct, res.Status, req.Method, route.Path, describe(req, res))
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	if mt, _, _ := mime.ParseMediaType(ct); openapi3filter.RegisteredBodyDecoder(mt) == nil {
		opts.ExcludeResponseBody = true // binary (PDF, ...): status and type are checked above
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 res.Status,
		Header:                 res.Header,
		Body:                   io.NopCloser(bytes.NewReader(res.Body)),
		Options:                opts,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("response does not match openapi.yaml: %w: %s", err, describe(req, res))
	}
	return nil
}

// The reports' CSV comes comma- or semicolon-separated (separator=) and may
// start with a byte order mark (bom=true): the check reads either.
func init() {
	openapi3filter.RegisterBodyDecoder("text/csv", func(body io.Reader, h http.Header, schema *openapi3.SchemaRef, enc openapi3filter.EncodingFn) (any, error) {
		b, err := io.ReadAll(body)
		if err != nil {
			return nil, err
		}
		b = bytes.TrimPrefix(b, []byte("\ufeff"))
		r := csv.NewReader(bytes.NewReader(b))
		if first, _, _ := bytes.Cut(b, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
			r.Comma = ';'
		}
		var sb strings.Builder
		for {
			rec, err := r.Read()
			if err == io.EOF {
				return sb.String(), nil
			}
			if err != nil {
				return nil, err
			}
			sb.WriteString(strings.Join(rec, ",") + "\n")
		}
	})
}
