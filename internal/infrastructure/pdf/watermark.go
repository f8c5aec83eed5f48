package pdf

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// watermarks draws the diagonal "DRAFT" mark printed behind every page of
// a draft. maroto cannot rotate text, but it draws a background image on
// every page, so the mark is a picture: the translated word, rasterised
// from the embedded bold font, rotated along the page diagonal, light grey
// on white. One picture per label, made once and cached.
type watermarks struct {
	font  *opentype.Font
	cache sync.Map // label -> []byte (PNG)
}

// Pixels per millimetre of the mark: enough to look clean when printed as
// a background; the PNG stays a few kilobytes because it is almost blank.
const watermarkPPM = 2.5

func newWatermarks(boldTTF []byte) (*watermarks, error) {
	f, err := opentype.Parse(boldTTF)
	if err != nil {
		return nil, fmt.Errorf("pdf: parsing the watermark font: %w", err)
	}
	return &watermarks{font: f}, nil
}

// png returns the mark for label as a PNG covering a page area of
// widthMM x heightMM.
func (w *watermarks) png(label string, widthMM, heightMM float64) ([]byte, error) {
	key := fmt.Sprintf("%s|%.1f|%.1f", label, widthMM, heightMM)
	if b, ok := w.cache.Load(key); ok {
		return b.([]byte), nil
	}
	b, err := w.draw(label, int(widthMM*watermarkPPM), int(heightMM*watermarkPPM))
	if err != nil {
		return nil, err
	}
	w.cache.Store(key, b)
	return b, nil
}

func (w *watermarks) draw(label string, width, height int) ([]byte, error) {
	diag := math.Hypot(float64(width), float64(height))
	angle := math.Atan2(float64(height), float64(width))

	// Size the text to 70% of the diagonal.
	const probe = 100.0
	face, err := opentype.NewFace(w.font, &opentype.FaceOptions{Size: probe, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, err
	}
	adv := font.MeasureString(face, label).Ceil()
	_ = face.Close()
	if adv <= 0 {
		adv = 1
	}
	size := probe * 0.7 * diag / float64(adv)
	if size > float64(height)/2 {
		size = float64(height) / 2
	}
	face, err = opentype.NewFace(w.font, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, err
	}
	defer func() { _ = face.Close() }()
	m := face.Metrics()
	tw := font.MeasureString(face, label).Ceil()
	th := (m.Ascent + m.Descent).Ceil()
	text := image.NewAlpha(image.Rect(0, 0, tw+2, th+2))
	d := font.Drawer{Dst: text, Src: image.Opaque, Face: face, Dot: fixed.Point26_6{X: fixed.I(1), Y: m.Ascent + fixed.I(1)}}
	d.DrawString(label)

	// Rotate by inverse mapping: each page pixel looks up the text pixel it
	// comes from (text rises from bottom-left to top-right).
	out := image.NewGray(image.Rect(0, 0, width, height))
	cos, sin := math.Cos(angle), math.Sin(angle)
	cx, cy := float64(width)/2, float64(height)/2
	tcx, tcy := float64(text.Rect.Dx())/2, float64(text.Rect.Dy())/2
	const paper, ink = 255, 215 // white page, light grey mark
	for y := range height {
		for x := range width {
			dx, dy := float64(x)-cx, float64(y)-cy
			u := dx*cos - dy*sin + tcx
			v := dx*sin + dy*cos + tcy
			a := bilinear(text, u, v)
			out.Pix[y*out.Stride+x] = uint8(paper - (paper-ink)*a/255) //nolint:gosec // a is 0..255: the value lies between ink and paper
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// bilinear samples the alpha of img at (u, v), 0 outside.
func bilinear(img *image.Alpha, u, v float64) int {
	u -= 0.5
	v -= 0.5
	x0, y0 := int(math.Floor(u)), int(math.Floor(v))
	fx, fy := u-float64(x0), v-float64(y0)
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= img.Rect.Dx() || y >= img.Rect.Dy() {
			return 0
		}
		return float64(img.Pix[y*img.Stride+x])
	}
	top := at(x0, y0)*(1-fx) + at(x0+1, y0)*fx
	bottom := at(x0, y0+1)*(1-fx) + at(x0+1, y0+1)*fx
	return int(top*(1-fy) + bottom*fy + 0.5)
}
