package persistence

import (
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// listSpec is one resource's list whitelist: the sortable fields (API name
// -> column) and the text columns searched by q. Column names only ever come
// from here, never from the request.
type listSpec struct {
	sorts  map[string]string
	search []string
	// updated is the column keyset lists follow (updated_at when empty;
	// created_at for tables whose rows never change).
	updated string
}

// likeEscape is the LIKE escape character: '!' means the same to every
// engine, whereas a backslash is itself an escape in MySQL string literals.
const likeEscape = "!"

// containsPattern turns q into a case-insensitive LIKE pattern matching it
// anywhere, with LIKE's wildcards in q taken literally.
func containsPattern(q string) string {
	r := strings.NewReplacer(likeEscape, likeEscape+likeEscape, "%", likeEscape+"%", "_", likeEscape+"_")
	return "%" + r.Replace(strings.ToLower(q)) + "%"
}

// list applies p's search, counts the matches, then sorts (with id as the
// tie-breaker so pages are stable) and pages into out.
func list[T any](q *gorm.DB, p domain.ListParams, spec listSpec, out *[]T) (int64, error) {
	if p.Q != "" && len(spec.search) > 0 {
		pat := containsPattern(p.Q)
		var ors []string
		var args []any
		for _, c := range spec.search {
			ors = append(ors, "LOWER("+c+") LIKE ? ESCAPE '"+likeEscape+"'")
			args = append(args, pat)
		}
		q = q.Where("("+strings.Join(ors, " OR ")+")", args...)
	}
	if p.Keyset {
		return keyset(q, p, spec, out)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return 0, err
	}
	col, ok := spec.sorts[p.Sort]
	if !ok {
		col = "id"
	}
	q = q.Order(clause.OrderByColumn{Column: clause.Column{Name: col}, Desc: p.Desc})
	if col != "id" {
		q = q.Order(clause.OrderByColumn{Column: clause.Column{Name: "id"}, Desc: p.Desc})
	}
	if err := q.Limit(p.Limit).Offset(p.Offset).Find(out).Error; err != nil {
		return 0, err
	}
	return total, nil
}

// sortSpec builds a sort whitelist from field names that are also column
// names.
func sortSpec(fields []string) map[string]string {
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		m[f] = f
	}
	return m
}

// keyset reads the page of an incremental sync: rows changed at or after
// p.UpdatedSince, strictly after the cursor's (updated_at, id), in that
// order. The total counts every row changed since UpdatedSince. A row
// inserted or changed while a client pages gets a later updated_at than
// the rows already read, so it comes on a later page rather than shifting
// the pages, as it would with offsets.
func keyset[T any](q *gorm.DB, p domain.ListParams, spec listSpec, out *[]T) (int64, error) {
	col := spec.updated
	if col == "" {
		col = "updated_at"
	}
	if !p.UpdatedSince.IsZero() {
		q = q.Where(col+" >= ?", p.UpdatedSince.UTC())
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return 0, err
	}
	if c := p.After; c != nil {
		t := c.UpdatedAt.UTC()
		q = q.Where("("+col+" > ? OR ("+col+" = ? AND id > ?))", t, t, c.ID)
	}
	q = q.Order(clause.OrderByColumn{Column: clause.Column{Name: col}}).Order(clause.OrderByColumn{Column: clause.Column{Name: "id"}})
	if err := q.Limit(p.Limit).Find(out).Error; err != nil {
		return 0, err
	}
	return total, nil
}
