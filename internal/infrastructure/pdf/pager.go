package pdf

import (
	"fmt"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/page"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/extension"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/pdf/i18n"
	"github.com/dolibarr-go/dolibarr/internal/usecase/printing"
)

// setup creates the maroto document with the page geometry, fonts, page
// numbers, header, footer and, on drafts, the watermark.
func (r *Renderer) setup(doc printing.Document, loc *i18n.Locale, p *plan) (core.Maroto, error) {
	title := (&layout{doc: doc, loc: loc}).title()
	b := config.NewBuilder().
		WithPageSize(pagesize.A4).
		WithLeftMargin(marginLeft).WithRightMargin(marginRight).
		WithTopMargin(marginTop).WithBottomMargin(marginBottom).
		WithMaxGridSize(grid).
		WithCustomFonts(r.fontCopies()).
		WithDefaultFont(&props.Font{Family: fontFamily, Style: fontstyle.Normal, Size: sizeBody, Color: colorText}).
		// The catalog's pattern keeps maroto's {current} and {total}.
		WithPageNumber(props.PageNumber{
			Pattern: loc.T("footer.page"), Place: props.RightBottom,
			Family: fontFamily, Style: fontstyle.Normal, Size: sizeFooter, Color: colorMuted,
		}).
		WithTitle(title+" "+doc.Ref, true).
		WithAuthor(doc.Company.Name, true).
		WithCreator("Dolibarr-Go", true).
		WithSequentialMode().
		WithCompression(true)
	if doc.Draft {
		img, err := r.watermarks.png(loc.T("label.draft"), contentW, contentH)
		if err != nil {
			return nil, fmt.Errorf("pdf: drawing the draft watermark: %w", err)
		}
		b = b.WithBackgroundImage(img, extension.Png)
	}
	m := maroto.New(b.Build())
	if err := m.RegisterFooter(p.footer...); err != nil {
		return nil, fmt.Errorf("pdf: footer: %w", err)
	}
	if err := m.RegisterHeader(p.header...); err != nil {
		return nil, fmt.Errorf("pdf: header: %w", err)
	}
	return m, nil
}

// pager adds body rows to maroto and decides the page breaks itself, from
// the heights the layout computed: maroto would break too, but only after
// the fact, with no way to keep a group together or repeat the table
// header. The limit is a little stricter than maroto's own so that maroto
// never breaks a page on its own.
type pager struct {
	m     core.Maroto
	p     *plan
	used  float64 // height used on the current page, header included
	limit float64 // usable height of a page, footer excluded
	pages int
}

func newPager(m core.Maroto, p *plan) *pager {
	return &pager{m: m, p: p, used: p.headerH, limit: contentH - p.footerH - slack, pages: 1}
}

func (pg *pager) add(br *bodyRow) {
	need := max(br.h, br.keep)
	empty := pg.used <= pg.p.headerH
	if !empty && pg.used+need > pg.limit {
		// Move the whole group to a new page when it fits on one; a group
		// taller than a page just flows, breaking where its rows must.
		if need <= pg.limit-pg.p.headerH || pg.used+br.h > pg.limit {
			pg.newPage(br.table)
		}
	}
	pg.m.AddRows(br.row)
	pg.used += br.h
}

func (pg *pager) newPage(table bool) {
	pg.m.AddPages(page.New())
	pg.pages++
	pg.used = pg.p.headerH
	if table && pg.p.tableHead != nil {
		r, h := pg.p.tableHead()
		pg.m.AddRows(r)
		pg.used += h
	}
}
