package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// etag is the entity tag of a record version.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// setETag sends the version as ETag so clients can edit with If-Match.
func setETag(c echo.Context, version int64) { c.Response().Header().Set("ETag", etag(version)) }

// expectedVersion returns the version an edit is based on: the If-Match
// header ("3" or W/"3") or else the body's version. One of them is required:
// an edit that names no version could silently overwrite someone else's.
func expectedVersion(c echo.Context, body *int64) (int64, bool, error) {
	if h := c.Request().Header.Get("If-Match"); h != "" {
		s := strings.TrimPrefix(strings.TrimSpace(h), "W/")
		n, ok := parseNatural(strings.TrimSuffix(strings.TrimPrefix(s, `"`), `"`))
		if !ok || n < 1 || len(s) < 3 || s[0] != '"' || s[len(s)-1] != '"' {
			return 0, false, BadRequest("invalid_if_match", `If-Match must be the ETag of the record, such as "3"`)
		}
		if body != nil && *body != n {
			return 0, false, BadRequest("version_mismatch", "If-Match and version disagree")
		}
		return n, true, nil
	}
	if body == nil || *body < 1 {
		v := &domain.ValidationError{}
		v.Add("version", "required", "is required (or send If-Match): the version of the record the edit is based on")
		return 0, false, v
	}
	return *body, false, nil
}

// editError turns a stale version into 412 when the client sent If-Match
// (RFC 9110 semantics); with a body version it stays a 409.
func editError(err error, fromHeader bool) error {
	var sv *domain.StaleVersion
	if fromHeader && errors.As(err, &sv) {
		return &Error{Status: http.StatusPreconditionFailed, Code: "precondition_failed", Detail: sv.Error()}
	}
	return err
}

// notModified answers 304 Not Modified, with the ETag, when the request is
// a GET or HEAD whose If-None-Match names tag (or is "*"), and reports
// whether it did. Weak and strong forms compare alike (RFC 9110 13.1.2).
func notModified(c echo.Context, tag string) bool {
	r := c.Request()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	h := r.Header.Get("If-None-Match")
	if h == "" {
		return false
	}
	for part := range strings.SplitSeq(h, ",") {
		part = strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if part == "*" || part == tag {
			c.Response().Header().Set("ETag", tag)
			_ = c.NoContent(http.StatusNotModified)
			return true
		}
	}
	return false
}

// jsonETag answers body with an ETag derived from its bytes, for records
// without a version (payments, jobs, users, roles), and 304 to a GET that
// already holds it.
func jsonETag(c echo.Context, status int, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	tag := `"h` + hex.EncodeToString(sum[:12]) + `"`
	if notModified(c, tag) {
		return nil
	}
	c.Response().Header().Set("ETag", tag)
	return c.JSONBlob(status, b)
}
