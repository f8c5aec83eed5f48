package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"reflect"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// cursorKeyCtx is where the server's middleware puts the cursor key.
const cursorKeyCtx = "dolibarr.cursor_key"

// cursorKey returns the middleware that hands the handlers the key next
// cursors are signed with (Options.CursorKey).
func cursorKey(key []byte) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Set(cursorKeyCtx, key)
			return next(c)
		}
	}
}

func keyOf(c echo.Context) []byte {
	k, _ := c.Get(cursorKeyCtx).([]byte)
	return k
}

// A cursor is base64url of 8 bytes of updated_at (Unix microseconds), 8
// bytes of id and the first 16 bytes of their HMAC-SHA256 under the
// server's key: opaque to clients, and a cursor that was altered or made
// up is refused (400 invalid_cursor) rather than read as another position.
const cursorMACLen = 16

func encodeCursor(key []byte, cur domain.ListCursor) string {
	b := make([]byte, 16, 16+cursorMACLen)
	// Two's complement round trip: the bits are only ever read back by
	// decodeCursor, after their MAC was checked.
	binary.BigEndian.PutUint64(b[0:8], uint64(cur.UpdatedAt.UnixMicro()))
	binary.BigEndian.PutUint64(b[8:16], uint64(cur.ID)) //nolint:gosec // see above
	m := hmac.New(sha256.New, key)
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(m.Sum(b)[:16+cursorMACLen])
}

func decodeCursor(key []byte, s string) (domain.ListCursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 16+cursorMACLen || len(key) == 0 {
		return domain.ListCursor{}, false
	}
	m := hmac.New(sha256.New, key)
	m.Write(b[:16])
	if !hmac.Equal(m.Sum(nil)[:cursorMACLen], b[16:]) {
		return domain.ListCursor{}, false
	}
	at := int64(binary.BigEndian.Uint64(b[0:8]))  //nolint:gosec // the encoder's own bits, MAC-checked
	id := int64(binary.BigEndian.Uint64(b[8:16])) //nolint:gosec // the encoder's own bits, MAC-checked
	return domain.ListCursor{UpdatedAt: time.UnixMicro(at).UTC(), ID: id}, true
}

// parseSync reads updated_since and cursor into p: either switches the
// list to keyset paging. They exclude sort and offset, whose order they
// replace.
func parseSync(c echo.Context, p *domain.ListParams) error {
	since, cur := c.QueryParam("updated_since"), c.QueryParam("cursor")
	if since == "" && cur == "" {
		return nil
	}
	if c.QueryParam("sort") != "" || c.QueryParam("offset") != "" {
		return BadRequest("invalid_query", "updated_since and cursor page in (updated_at, id) order: they cannot be combined with sort or offset")
	}
	p.Keyset, p.Sort, p.Desc, p.Offset = true, "id", false, 0
	if since != "" {
		t, err := time.Parse(time.RFC3339Nano, since)
		if err != nil || !inDateRange(t) {
			return BadRequest("invalid_query", "updated_since must be an RFC 3339 time such as 2026-01-31T08:00:00Z")
		}
		p.UpdatedSince = t.UTC()
	}
	if cur != "" {
		pos, ok := decodeCursor(keyOf(c), cur)
		if !ok {
			return BadRequest("invalid_cursor", "cursor is not a next_cursor this API returned")
		}
		p.After = &pos
	}
	return nil
}

// nextCursor returns the cursor after the last item of a full keyset
// page (nil otherwise: the sync is caught up). The item's ID and its
// UpdatedAt (CreatedAt for records that never change) are read by name:
// every entity has them, and the list helper stays one function.
func nextCursor[T any](c echo.Context, items []T, p domain.ListParams) *string {
	if !p.Keyset || len(items) == 0 || len(items) < p.Limit {
		return nil
	}
	v := reflect.ValueOf(items[len(items)-1])
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	id := v.FieldByName("ID")
	at := v.FieldByName("UpdatedAt")
	if !at.IsValid() {
		at = v.FieldByName("CreatedAt")
	}
	if !id.IsValid() || !at.IsValid() {
		return nil
	}
	t, ok := at.Interface().(time.Time)
	if !ok {
		return nil
	}
	s := encodeCursor(keyOf(c), domain.ListCursor{UpdatedAt: t, ID: id.Int()})
	return &s
}

// CursorKey derives the key that signs list cursors from the JWT secret,
// so every replica signs alike and nothing new has to be configured.
func CursorKey(jwtSecret string) []byte {
	m := hmac.New(sha256.New, []byte(jwtSecret))
	m.Write([]byte("dolibarr-go list cursor v1"))
	return m.Sum(nil)
}
