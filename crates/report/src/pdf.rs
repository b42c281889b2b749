//! The report as a PDF for print and for exchange: A4 pages with the report's banner marking
//! in the header and the footer, each paragraph's portion mark in the left margin, page
//! numbers, bookmarks for the sections, and the citations listed by reference code with
//! their quotes.
//!
//! Text is set in DejaVu Serif, embedded as a subset (only the glyphs the report uses), so
//! that Russian, German and Polish names print right on any machine, and with a ToUnicode
//! map so that the text can be searched and copied out of the file. There is no shaping:
//! Cyrillic and Latin scripts need none.
//!
//! The work is in two passes. [`lay_out`] breaks the report into lines and pages (and is
//! what the tests look at); the writer turns those pages into PDF objects with
//! `pdf-writer`, subsetting the fonts with `subsetter` once the glyphs are known.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::OnceLock;

use kartoteka_model::{Marking, Report};
use pdf_writer::types::{
    ActionType, AnnotationType, CidFontType, FontFlags, SystemInfo, UnicodeCmap,
};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::{
    citation_markings, citation_place, numbered_citations, one_line, portion_mark, section_title,
};

/// The regular face, DejaVu Serif (Bitstream Vera licence, fonts/LICENSE).
const REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSerif.ttf");
/// The bold face.
const BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSerif-Bold.ttf");

/// A4, in points.
pub const PAGE_WIDTH: f32 = 595.276;
/// A4, in points.
pub const PAGE_HEIGHT: f32 = 841.89;
/// Where the body text starts; the portion marks sit left of it.
pub const TEXT_LEFT: f32 = 108.0;
/// Where the body text ends.
pub const TEXT_RIGHT: f32 = 540.0;
/// Where the portion marks start.
pub const MARK_LEFT: f32 = 36.0;
/// How wide a portion mark may be before it wraps.
const MARK_WIDTH: f32 = TEXT_LEFT - MARK_LEFT - 8.0;
/// The first baseline of the body.
const BODY_TOP: f32 = PAGE_HEIGHT - 76.0;
/// The lowest baseline of the body.
const BODY_BOTTOM: f32 = 74.0;
/// The header banner's baseline.
const HEADER_Y: f32 = PAGE_HEIGHT - 40.0;
/// The footer banner's baseline.
const FOOTER_Y: f32 = 44.0;
/// The baseline of the line with the report id and the page number.
const FOLIO_Y: f32 = 26.0;

const BODY_SIZE: f32 = 10.0;
const BODY_LEADING: f32 = 13.5;
const MARK_SIZE: f32 = 7.0;
const MARK_LEADING: f32 = 8.5;

/// A PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// An embedded font does not parse (the build is broken).
    #[error("the embedded font {0} does not parse: {1}")]
    Font(&'static str, String),
    /// An embedded font could not be cut down to the glyphs used.
    #[error("subsetting the font {0}: {1}")]
    Subset(&'static str, String),
}

/// Regular or bold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Face {
    /// DejaVu Serif.
    Regular,
    /// DejaVu Serif Bold.
    Bold,
}

/// One embedded face, parsed once for the life of the process.
struct Font {
    name: &'static str,
    data: &'static [u8],
    face: ttf_parser::Face<'static>,
    units_per_em: f32,
}

impl Font {
    fn load(name: &'static str, data: &'static [u8]) -> Result<Font, PdfError> {
        let face =
            ttf_parser::Face::parse(data, 0).map_err(|e| PdfError::Font(name, e.to_string()))?;
        let units_per_em = f32::from(face.units_per_em());
        Ok(Font {
            name,
            data,
            face,
            units_per_em,
        })
    }

    /// The glyph for a character: the font's own, a plain space for any space, else the
    /// "missing" glyph (0), which prints as a box rather than dropping the character.
    fn glyph(&self, c: char) -> u16 {
        let c = if c.is_whitespace() { ' ' } else { c };
        self.face.glyph_index(c).map_or(0, |g| g.0)
    }

    /// A glyph's advance in thousandths of the font size, as PDF widths are given.
    fn advance(&self, glyph: u16) -> f32 {
        let units = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(glyph))
            .unwrap_or(0);
        f32::from(units) * 1000.0 / self.units_per_em
    }

    /// How wide a text is at a size, in points.
    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c)))
            .sum::<f32>()
            * size
            / 1000.0
    }

    /// A value in font units as thousandths of the font size.
    fn scaled(&self, units: i16) -> f32 {
        f32::from(units) * 1000.0 / self.units_per_em
    }
}

fn fonts() -> Result<&'static [Font; 2], PdfError> {
    static FONTS: OnceLock<Result<[Font; 2], String>> = OnceLock::new();
    let loaded = FONTS.get_or_init(|| {
        let regular = Font::load("DejaVuSerif", REGULAR_TTF).map_err(|e| e.to_string())?;
        let bold = Font::load("DejaVuSerif-Bold", BOLD_TTF).map_err(|e| e.to_string())?;
        Ok([regular, bold])
    });
    loaded
        .as_ref()
        .map_err(|e| PdfError::Font("DejaVu Serif", e.clone()))
}

fn font(fonts: &[Font; 2], face: Face) -> &Font {
    match face {
        Face::Regular => &fonts[0],
        Face::Bold => &fonts[1],
    }
}

/// A piece of text set at one place on a page.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// Its face.
    pub face: Face,
    /// Its size in points.
    pub size: f32,
    /// Its left edge, in points from the left of the page.
    pub x: f32,
    /// Its baseline, in points from the bottom of the page.
    pub y: f32,
    /// Its width in points.
    pub width: f32,
    /// The text.
    pub text: String,
    /// Its colour (RGB, 0-1).
    pub color: [f32; 3],
    /// What it is, for readers of the layout: "banner", "folio", "title", "heading",
    /// "mark", "body".
    pub role: &'static str,
}

/// One laid-out page.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LaidOutPage {
    /// Its text.
    pub runs: Vec<Run>,
    /// Horizontal rules: (x from, x to, y).
    pub rules: Vec<(f32, f32, f32)>,
}

/// A report broken into pages, before it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// The pages, first to last.
    pub pages: Vec<LaidOutPage>,
    /// The bookmarks: title, page index, and the y of its heading.
    pub outline: Vec<(String, usize, f32)>,
    /// Citation numbers in the text that link to their entries.
    pub links: Vec<Link>,
    /// Where each citation's entry is (page index, y of its top), by number from 1.
    pub anchors: Vec<(usize, f32)>,
}

/// A citation number in the text ("[3]"), clickable, and the citation it goes to.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// The page it is on.
    pub page: usize,
    /// Its box: left, bottom, right, top.
    pub rect: [f32; 4],
    /// The citation's number, from 1.
    pub citation: usize,
}

/// The boxes of the citation numbers `wanted` in a run of text.
fn citation_boxes(font: &Font, run: &Run, wanted: &[usize]) -> Vec<([f32; 4], usize)> {
    let mut out = Vec::new();
    let text = &run.text;
    let mut from = 0;
    while let Some(open) = text[from..].find('[').map(|i| from + i) {
        let Some(close) = text[open..].find(']').map(|i| open + i) else {
            break;
        };
        if let Ok(n) = text[open + 1..close].parse::<usize>() {
            if wanted.contains(&n) {
                let x0 = run.x + font.width(&text[..open], run.size);
                let x1 = run.x + font.width(&text[..=close], run.size);
                out.push(([x0, run.y - 2.0, x1, run.y + run.size * 0.8], n));
            }
        }
        from = open + 1;
    }
    out
}

const BLACK: [f32; 3] = [0.0, 0.0, 0.0];
const GREY: [f32; 3] = [0.35, 0.35, 0.35];

/// The colour a banner is printed in, after the usual convention: green unclassified,
/// blue confidential, red secret, orange top secret.
fn banner_color(m: &Marking) -> [f32; 3] {
    use kartoteka_model::Classification as C;
    match m.classification {
        C::TopSecret => [0.80, 0.38, 0.0],
        C::Secret => [0.75, 0.0, 0.0],
        C::Confidential => [0.0, 0.2, 0.65],
        C::Restricted => [0.45, 0.25, 0.55],
        C::Unclassified => [0.0, 0.42, 0.0],
    }
}

/// Breaks a text into lines no wider than `width` at `size`: at spaces, and inside a word
/// only when the word alone is wider than the line. Line breaks in the text are kept.
fn wrap(font: &Font, text: &str, size: f32, width: f32) -> Vec<String> {
    let space = font.width(" ", size);
    let mut lines = Vec::new();
    for hard in text.split('\n') {
        let mut line = String::new();
        let mut line_width = 0.0;
        for word in hard.split_whitespace() {
            let mut w = font.width(word, size);
            let mut word = word.to_string();
            if !line.is_empty() && line_width + space + w <= width {
                line.push(' ');
                line.push_str(&word);
                line_width += space + w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the line (a long reference code, a quote without spaces) is
            // cut where it must be.
            while w > width {
                let mut cut = String::new();
                let mut cut_width = 0.0;
                let mut rest = word.chars().peekable();
                while let Some(&c) = rest.peek() {
                    let cw = font.width(c.encode_utf8(&mut [0; 4]), size);
                    if cut_width + cw > width && !cut.is_empty() {
                        break;
                    }
                    cut.push(c);
                    cut_width += cw;
                    rest.next();
                }
                lines.push(cut);
                word = rest.collect();
                w = font.width(&word, size);
            }
            line = word;
            line_width = w;
        }
        lines.push(line);
    }
    lines
}

/// The page being filled.
struct Composer<'f> {
    fonts: &'f [Font; 2],
    pages: Vec<LaidOutPage>,
    outline: Vec<(String, usize, f32)>,
    /// The next baseline.
    y: f32,
}

impl<'f> Composer<'f> {
    fn new(fonts: &'f [Font; 2]) -> Composer<'f> {
        Composer {
            fonts,
            pages: vec![LaidOutPage::default()],
            outline: Vec::new(),
            y: BODY_TOP,
        }
    }

    fn page(&mut self) -> &mut LaidOutPage {
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(LaidOutPage::default());
        self.y = BODY_TOP;
    }

    /// Starts a new page unless `height` more points fit above the bottom margin.
    fn room_for(&mut self, height: f32) -> bool {
        if self.y - height < BODY_BOTTOM && self.y < BODY_TOP {
            self.new_page();
            return false;
        }
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn put(
        &mut self,
        face: Face,
        size: f32,
        x: f32,
        y: f32,
        text: &str,
        color: [f32; 3],
        role: &'static str,
    ) {
        if text.is_empty() {
            return;
        }
        let width = font(self.fonts, face).width(text, size);
        self.page().runs.push(Run {
            face,
            size,
            x,
            y,
            width,
            text: text.to_string(),
            color,
            role,
        });
    }

    /// A block of body text with its portion mark in the margin. Lines flow onto the next
    /// page; a page that continues a marked paragraph repeats its mark. A block that goes
    /// on from the one before (a citation's quote) has its mark only on a new page.
    fn paragraph(
        &mut self,
        mark: Option<&str>,
        goes_on: bool,
        text: &str,
        face: Face,
        size: f32,
        indent: f32,
    ) {
        let leading = size * BODY_LEADING / BODY_SIZE;
        let body = font(self.fonts, face);
        let lines = wrap(body, text, size, TEXT_RIGHT - TEXT_LEFT - indent);
        let mark_lines = mark.map(|m| wrap(font(self.fonts, Face::Bold), m, MARK_SIZE, MARK_WIDTH));
        let mut mark_due = !goes_on;
        for line in &lines {
            if !self.room_for(leading) {
                mark_due = true;
            }
            if mark_due {
                if let Some(ml) = &mark_lines {
                    let mut y = self.y;
                    for m in ml {
                        self.put(Face::Bold, MARK_SIZE, MARK_LEFT, y, m, GREY, "mark");
                        y -= MARK_LEADING;
                    }
                }
                mark_due = false;
            }
            let y = self.y;
            self.put(face, size, TEXT_LEFT + indent, y, line, BLACK, "body");
            self.y -= leading;
        }
    }

    /// Moves below the last portion mark when it is longer than its text, so that the next
    /// paragraph's mark does not run into it.
    fn clear_marks(&mut self) {
        let Some(last) = self
            .page()
            .runs
            .iter()
            .rev()
            .find(|r| r.role == "mark")
            .map(|r| r.y)
        else {
            return;
        };
        let below = last - MARK_LEADING - (BODY_LEADING - MARK_LEADING);
        if below < self.y {
            self.y = below;
        }
    }

    /// A section heading, kept on the page with the first lines under it.
    fn heading(&mut self, title: &str) {
        self.y -= 8.0;
        self.room_for(14.0 + 3.0 * BODY_LEADING);
        let y = self.y;
        self.put(Face::Bold, 11.5, TEXT_LEFT, y, title, BLACK, "heading");
        let page = self.pages.len() - 1;
        self.outline.push((title.to_string(), page, y + 14.0));
        self.y -= 16.0;
    }
}

/// Lays a report out on A4 pages: the banner marking at the head and foot of every page,
/// the title and the report's particulars, each section with its paragraphs (portion mark
/// in the margin, citation numbers after the text), and the citations, each with the
/// reference code, page and characters of its source and the quoted text.
pub fn lay_out(report: &Report) -> Result<Layout, PdfError> {
    let fonts = fonts()?;
    let mut c = Composer::new(fonts);
    let banner = report.marking();
    let (citations, per) = numbered_citations(report);

    // Title and particulars.
    for line in wrap(
        font(fonts, Face::Bold),
        &report.title,
        16.0,
        TEXT_RIGHT - TEXT_LEFT,
    ) {
        let y = c.y;
        c.put(Face::Bold, 16.0, TEXT_LEFT, y, &line, BLACK, "title");
        c.y -= 20.0;
    }
    c.outline.push((report.title.clone(), 0, PAGE_HEIGHT));
    let mut particulars = vec![format!(
        "Report {} · version {} · {}",
        report.id, report.version, report.status
    )];
    if !report.countries.is_empty() {
        particulars.push(format!("Countries: {}", report.countries.join(", ")));
    }
    if let Some((a, b)) = report.period {
        particulars.push(if a == b {
            format!("Period: {a}")
        } else {
            format!("Period: {a}–{b}")
        });
    }
    particulars.push(format!("Marking: {banner}"));
    if let Some(to) = &report.released_to {
        particulars.push(format!("Released to {to}"));
    }
    particulars.push(format!(
        "Made by {} at {} ({})",
        report.by, report.at, report.why
    ));
    for p in &particulars {
        c.paragraph(None, false, p, Face::Regular, 9.0, 0.0);
    }
    c.y += 4.0;
    let y = c.y;
    c.page().rules.push((TEXT_LEFT, TEXT_RIGHT, y));
    c.y -= 10.0;

    let mut links = Vec::new();
    let mut anchors = Vec::new();
    let mut current = "";
    for (p, cites) in report.paragraphs.iter().zip(&per) {
        if p.section != current {
            current = &p.section;
            c.heading(section_title(current));
        }
        let refs: String = cites.iter().map(|n| format!("[{n}]")).collect();
        let text = format!("{} {refs}", p.text.trim());
        let (first_page, first_run) = (c.pages.len() - 1, c.page().runs.len());
        c.paragraph(
            Some(&portion_mark(p.effective_marking())),
            false,
            &text,
            Face::Regular,
            BODY_SIZE,
            0.0,
        );
        // The paragraph's own citation numbers link to their entries.
        for page in first_page..c.pages.len() {
            let skip = if page == first_page { first_run } else { 0 };
            let boxes: Vec<([f32; 4], usize)> = c.pages[page].runs[skip..]
                .iter()
                .filter(|r| r.role == "body")
                .flat_map(|r| citation_boxes(font(fonts, r.face), r, cites))
                .collect();
            links.extend(boxes.into_iter().map(|(rect, citation)| Link {
                page,
                rect,
                citation,
            }));
        }
        c.clear_marks();
        c.y -= 4.0;
    }

    let cite_marks = citation_markings(report, &citations, &per);
    if !citations.is_empty() {
        c.heading("Citations");
        let leading = 9.0 * BODY_LEADING / BODY_SIZE;
        let width = TEXT_RIGHT - TEXT_LEFT;
        for (i, (cite, mark)) in citations.iter().zip(&cite_marks).enumerate() {
            let place = format!("[{}] {}", i + 1, citation_place(cite));
            let quote = format!("«{}»", one_line(&cite.quote));
            // A citation and its quote stay on one page when they fit on one.
            let lines = wrap(font(fonts, Face::Bold), &place, 9.0, width).len()
                + wrap(font(fonts, Face::Regular), &quote, 9.0, width - 14.0).len();
            let height = lines as f32 * leading;
            if height < BODY_TOP - BODY_BOTTOM {
                c.room_for(height);
            }
            let mark = portion_mark(mark);
            anchors.push((c.pages.len() - 1, c.y + 12.0));
            c.paragraph(Some(&mark), false, &place, Face::Bold, 9.0, 0.0);
            c.paragraph(Some(&mark), true, &quote, Face::Regular, 9.0, 14.0);
            c.clear_marks();
            c.y -= 3.0;
        }
    }

    // Banners and folios, now that the number of pages is known.
    let total = c.pages.len();
    let banner_text = banner.to_string();
    let color = banner_color(&banner);
    let bold = font(fonts, Face::Bold);
    let regular = font(fonts, Face::Regular);
    let banner_width = bold.width(&banner_text, 10.0);
    let banner_x = (PAGE_WIDTH - banner_width) / 2.0;
    for (i, page) in c.pages.iter_mut().enumerate() {
        for y in [HEADER_Y, FOOTER_Y] {
            page.runs.push(Run {
                face: Face::Bold,
                size: 10.0,
                x: banner_x,
                y,
                width: banner_width,
                text: banner_text.clone(),
                color,
                role: "banner",
            });
        }
        let left = format!("{} · version {}", report.id, report.version);
        let right = format!("Page {} of {total}", i + 1);
        let right_width = regular.width(&right, 8.0);
        for (x, text, width) in [
            (MARK_LEFT, left.clone(), regular.width(&left, 8.0)),
            (TEXT_RIGHT - right_width, right, right_width),
        ] {
            page.runs.push(Run {
                face: Face::Regular,
                size: 8.0,
                x,
                y: FOLIO_Y,
                width,
                text,
                color: GREY,
                role: "folio",
            });
        }
    }
    Ok(Layout {
        pages: c.pages,
        outline: c.outline,
        links,
        anchors,
    })
}

/// The report as a PDF file.
pub fn pdf(report: &Report) -> Result<Vec<u8>, PdfError> {
    let layout = lay_out(report)?;
    write(report, &layout)
}

/// Deflates a stream.
fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    // Writing to a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

/// A subset's name: six capitals from the glyphs it holds, a plus, the font's name, as
/// PDF asks so that two subsets of one font are not taken for each other.
fn subset_name(font: &Font, glyphs: &BTreeMap<u16, char>) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for g in glyphs.keys() {
        h.update(g.to_be_bytes());
    }
    let digest = h.finalize();
    let tag: String = digest[..6]
        .iter()
        .map(|b| char::from(b'A' + b % 26))
        .collect();
    format!("{tag}+{}", font.name)
}

fn write(report: &Report, layout: &Layout) -> Result<Vec<u8>, PdfError> {
    let fonts = fonts()?;
    let mut next = Ref::new(1);
    let mut alloc = || next.bump();
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    let outline_root = alloc();
    let font_refs: Vec<[Ref; 5]> = (0..2)
        .map(|_| [alloc(), alloc(), alloc(), alloc(), alloc()])
        .collect();
    let page_refs: Vec<(Ref, Ref)> = layout.pages.iter().map(|_| (alloc(), alloc())).collect();
    let outline_refs: Vec<Ref> = layout.outline.iter().map(|_| alloc()).collect();
    // A link goes only to a citation whose entry was laid out.
    let links: Vec<(&Link, Ref)> = layout
        .links
        .iter()
        .filter(|l| l.citation >= 1 && l.citation <= layout.anchors.len())
        .map(|l| (l, alloc()))
        .collect();

    let mut pdf = Pdf::new();
    let mut used: [BTreeMap<u16, char>; 2] = [BTreeMap::new(), BTreeMap::new()];
    used[0].insert(0, '\u{FFFD}');
    used[1].insert(0, '\u{FFFD}');

    for (index, (page, (page_ref, content_ref))) in layout.pages.iter().zip(&page_refs).enumerate()
    {
        let mut content = Content::new();
        for &(x0, x1, y) in &page.rules {
            content
                .set_stroke_gray(0.6)
                .set_line_width(0.5)
                .move_to(x0, y)
                .line_to(x1, y)
                .stroke();
        }
        content.begin_text();
        for run in &page.runs {
            let i = usize::from(run.face == Face::Bold);
            let f = &fonts[i];
            let mut bytes = Vec::with_capacity(run.text.len() * 2);
            for ch in run.text.chars() {
                let g = f.glyph(ch);
                used[i]
                    .entry(g)
                    .or_insert(if ch.is_whitespace() { ' ' } else { ch });
                bytes.extend_from_slice(&g.to_be_bytes());
            }
            let [r, g, b] = run.color;
            content
                .set_fill_rgb(r, g, b)
                .set_font(Name(if i == 0 { b"F1" } else { b"F2" }), run.size)
                .set_text_matrix([1.0, 0.0, 0.0, 1.0, run.x, run.y])
                .show(Str(&bytes));
        }
        content.end_text();
        let stream = deflate(&content.finish().into_vec());
        pdf.stream(*content_ref, &stream)
            .filter(Filter::FlateDecode);
        let mine: Vec<&(&Link, Ref)> = links.iter().filter(|(l, _)| l.page == index).collect();
        for (link, r) in &mine {
            let [x0, y0, x1, y1] = link.rect;
            let (to_page, to_y) = layout.anchors[link.citation - 1];
            let mut a = pdf.annotation(*r);
            a.subtype(AnnotationType::Link)
                .rect(Rect::new(x0, y0, x1, y1))
                .border(0.0, 0.0, 0.0, None);
            a.action()
                .action_type(ActionType::GoTo)
                .destination()
                .page(page_refs[to_page].0)
                .xyz(0.0, to_y, None);
        }
        let mut p = pdf.page(*page_ref);
        p.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .parent(tree)
            .contents(*content_ref);
        if !mine.is_empty() {
            p.annotations(mine.iter().map(|(_, r)| *r));
        }
        let mut resources = p.resources();
        let mut fonts_dict = resources.fonts();
        fonts_dict.pair(Name(b"F1"), font_refs[0][0]);
        fonts_dict.pair(Name(b"F2"), font_refs[1][0]);
    }

    for (i, f) in fonts.iter().enumerate() {
        let [type0, cid, descriptor, file, cmap] = font_refs[i];
        let glyphs = &used[i];
        let name = subset_name(f, glyphs);
        let base = Name(name.as_bytes());
        pdf.type0_font(type0)
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        let system = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };
        let mut c = pdf.cid_font(cid);
        c.subtype(CidFontType::Type2)
            .base_font(base)
            .system_info(system)
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let mut w = c.widths();
        for &g in glyphs.keys() {
            w.consecutive(g, [f.advance(g)]);
        }
        w.finish();
        c.finish();

        let bbox = f.face.global_bounding_box();
        let cap = f.face.capital_height().unwrap_or(f.face.ascender());
        pdf.font_descriptor(descriptor)
            .name(base)
            .flags(FontFlags::SERIF | FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                f.scaled(bbox.x_min),
                f.scaled(bbox.y_min),
                f.scaled(bbox.x_max),
                f.scaled(bbox.y_max),
            ))
            .italic_angle(0.0)
            .ascent(f.scaled(f.face.ascender()))
            .descent(f.scaled(f.face.descender()))
            .cap_height(f.scaled(cap))
            .stem_v(if i == 0 { 80.0 } else { 140.0 })
            .font_file2(file);

        let list: Vec<u16> = glyphs.keys().copied().collect();
        let subset = subsetter::subset(f.data, 0, subsetter::Profile::pdf(&list))
            .map_err(|e| PdfError::Subset(f.name, e.to_string()))?;
        let packed = deflate(&subset);
        pdf.stream(file, &packed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), subset.len() as i32);

        let mut unicode = UnicodeCmap::new(Name(b"Kartoteka-UCS"), system);
        for (&g, &ch) in glyphs {
            if g != 0 {
                unicode.pair(g, ch);
            }
        }
        let map = unicode.finish();
        pdf.cmap(cmap, map.as_slice());
    }

    pdf.pages(tree)
        .kids(page_refs.iter().map(|(p, _)| *p))
        .count(page_refs.len() as i32);

    if !outline_refs.is_empty() {
        let n = outline_refs.len();
        pdf.outline(outline_root)
            .first(outline_refs[0])
            .last(outline_refs[n - 1])
            .count(n as i32);
        for (k, ((title, page, y), r)) in layout.outline.iter().zip(&outline_refs).enumerate() {
            let mut item = pdf.outline_item(*r);
            item.title(TextStr(title)).parent(outline_root);
            if k > 0 {
                item.prev(outline_refs[k - 1]);
            }
            if k + 1 < n {
                item.next(outline_refs[k + 1]);
            }
            item.dest().page(page_refs[*page].0).xyz(0.0, *y, None);
        }
    }

    let marking = report.marking().to_string();
    pdf.document_info(info)
        .title(TextStr(&report.title))
        .subject(TextStr(&format!(
            "{marking} · report {} version {}",
            report.id, report.version
        )))
        .creator(TextStr("Kartoteka"))
        .producer(TextStr("Kartoteka"));
    let mut cat = pdf.catalog(catalog);
    cat.pages(tree);
    if !outline_refs.is_empty() {
        cat.outlines(outline_root)
            .page_mode(pdf_writer::types::PageMode::UseOutlines);
    }
    cat.finish();
    Ok(pdf.finish())
}
