//! The report's hourly charts, drawn by the function as PNG images (email clients drop SVG and
//! `data:` images; an inline attachment referenced by `cid:` shows). No text inside the image —
//! every label (legend, times, maxima, thresholds) is HTML around it — so no font is needed.
//!
//! Two panels, one bar per hour: sends on top; below, the hard-bounce rate (red) and the
//! complaint rate (orange) side by side, each drawn against its own WARN threshold, which is the
//! dashed line (so 5% hard bounces and 0.1% complaints reach the same height).
//!
//! The PNG encoder is the format's minimum (RFC 2083: signature, IHDR, one IDAT, IEND; 8-bit RGB,
//! filter 0) over `flate2`'s zlib stream and CRC-32, which rate-reporter's binary already holds
//! (the CloudWatch client compresses requests with it): no new dependency.

use std::io::Write as _;

use chrono::{DateTime, Utc};

/// Image width in pixels (the email's column is at most 640 px wide; the image scales down).
pub const WIDTH: u32 = 600;
/// Image height in pixels.
pub const HEIGHT: u32 = 200;
/// Height of each panel.
const PANEL: u32 = 92;
/// Top of the rates panel.
const RATES_TOP: u32 = HEIGHT - PANEL;

/// Colours (RGB).
pub const SENDS: [u8; 3] = [0x8a, 0xb4, 0xf8];
/// Hard-bounce bars.
pub const HARD: [u8; 3] = [0xd9, 0x30, 0x25];
/// Complaint bars.
pub const COMPLAINTS: [u8; 3] = [0xf2, 0x99, 0x00];
const BACKGROUND: [u8; 3] = [0xff, 0xff, 0xff];
const GRID: [u8; 3] = [0xda, 0xdc, 0xe0];
const THRESHOLD: [u8; 3] = [0x5f, 0x63, 0x68];

/// The most bars a chart has: a window longer than 48 hours is drawn in steps of several hours.
pub const MAX_BARS: i64 = 48;

/// One domain's (or the total's) numbers per hour (or per step of hours) of the window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hourly {
    /// Hours per bar (1 for windows up to [`MAX_BARS`] hours).
    pub step_hours: i64,
    /// The start of each bar.
    pub hours: Vec<DateTime<Utc>>,
    /// Sends per hour.
    pub sends: Vec<f64>,
    /// Hard bounces per hour.
    pub hard_bounces: Vec<f64>,
    /// Complaints per hour.
    pub complaints: Vec<f64>,
}

impl Hourly {
    /// `n` empty bars of `step_hours` from `start`.
    pub fn empty(start: DateTime<Utc>, n: usize, step_hours: i64) -> Self {
        Self {
            step_hours,
            hours: (0..n).map(|i| start + chrono::Duration::hours(i as i64 * step_hours)).collect(),
            sends: vec![0.0; n],
            hard_bounces: vec![0.0; n],
            complaints: vec![0.0; n],
        }
    }

    /// Adds another series hour by hour (same hours).
    pub fn add(&mut self, o: &Hourly) {
        for (a, b) in [
            (&mut self.sends, &o.sends),
            (&mut self.hard_bounces, &o.hard_bounces),
            (&mut self.complaints, &o.complaints),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }

    /// Most sends in one hour.
    pub fn max_sends(&self) -> f64 {
        self.sends.iter().copied().fold(0.0, f64::max)
    }

    /// Each hour's rate of `k` in sends (0 for an hour without sends).
    fn rates(&self, k: &[f64]) -> Vec<f64> {
        self.sends.iter().zip(k).map(|(n, k)| if *n > 0.0 { (k / n).min(1.0) } else { 0.0 }).collect()
    }

    /// The highest hourly hard-bounce and complaint rates.
    pub fn max_rates(&self) -> (f64, f64) {
        let max = |v: Vec<f64>| v.into_iter().fold(0.0, f64::max);
        (max(self.rates(&self.hard_bounces)), max(self.rates(&self.complaints)))
    }
}

/// The highest top of the rates panel, in multiples of the WARN thresholds.
pub const MAX_TOP: f64 = 4.0;

/// What the rates panel is drawn against: each rate's WARN threshold, and how many times that
/// threshold the panel's top is (at least 2, more when a rate goes higher).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// Hard-bounce WARN threshold (fraction).
    pub hard_warn: f64,
    /// Complaint WARN threshold (fraction).
    pub complaint_warn: f64,
    /// The panel's top, in multiples of the thresholds.
    pub top: f64,
}

impl Scale {
    /// The scale for a series: the top is the highest rate's multiple of its WARN threshold,
    /// rounded up, from 2× to [`MAX_TOP`]× (a higher bar is cut at the top: one complaint in an
    /// hour of 50 sends is 20× WARN, and must not flatten every other bar).
    pub fn of(h: &Hourly, hard_warn: f64, complaint_warn: f64, complaints_measured: bool) -> Self {
        let (hb, c) = h.max_rates();
        let c = if complaints_measured { c / complaint_warn } else { 0.0 };
        let top = (hb / hard_warn).max(c).ceil().clamp(2.0, MAX_TOP);
        Self { hard_warn, complaint_warn, top }
    }
}

/// An RGB canvas.
struct Canvas {
    px: Vec<u8>,
}

impl Canvas {
    fn new() -> Self {
        Self { px: BACKGROUND.repeat((WIDTH * HEIGHT) as usize) }
    }

    fn fill(&mut self, x0: u32, y0: u32, x1: u32, y1: u32, c: [u8; 3]) {
        for y in y0.min(HEIGHT)..y1.min(HEIGHT) {
            for x in x0.min(WIDTH)..x1.min(WIDTH) {
                let i = ((y * WIDTH + x) * 3) as usize;
                self.px[i..i + 3].copy_from_slice(&c);
            }
        }
    }

    /// A horizontal line; dashed when `dash` > 0.
    fn hline(&mut self, y: u32, c: [u8; 3], dash: u32) {
        for x in 0..WIDTH {
            if dash == 0 || (x / dash).is_multiple_of(2) {
                self.fill(x, y, x + 1, y + 1, c);
            }
        }
    }
}

/// Height in pixels of `v` out of `max` in a panel (at least 1 px for any non-zero value).
fn bar(v: f64, max: f64) -> u32 {
    if v <= 0.0 || max <= 0.0 {
        return 0;
    }
    ((v / max * f64::from(PANEL)).round() as u32).clamp(1, PANEL)
}

/// Draws the chart of one series as a PNG.
pub fn png(h: &Hourly, scale: Scale, complaints_measured: bool) -> Vec<u8> {
    let mut c = Canvas::new();
    let n = h.hours.len().max(1) as u32;
    // gridlines: the panels' baselines and tops
    c.hline(0, GRID, 0);
    c.hline(PANEL, GRID, 0);
    c.hline(RATES_TOP, GRID, 0);
    c.hline(HEIGHT - 1, GRID, 0);
    let max_sends = h.max_sends();
    let hard = h.rates(&h.hard_bounces);
    let compl = h.rates(&h.complaints);
    for i in 0..n {
        let x0 = i * WIDTH / n;
        let x1 = ((i + 1) * WIDTH / n).max(x0 + 1);
        let gap = u32::from(x1 - x0 >= 4);
        let sends = bar(h.sends.get(i as usize).copied().unwrap_or(0.0), max_sends);
        c.fill(x0 + gap, PANEL - sends, x1 - gap, PANEL, SENDS);
        // the rates, side by side in the hour's slot
        let mid = (x0 + x1) / 2;
        let hb = bar(hard.get(i as usize).copied().unwrap_or(0.0) / scale.hard_warn, scale.top);
        c.fill(x0 + gap, HEIGHT - 1 - hb, mid.max(x0 + 1), HEIGHT - 1, HARD);
        if complaints_measured {
            let cr = bar(compl.get(i as usize).copied().unwrap_or(0.0) / scale.complaint_warn, scale.top);
            c.fill(mid, HEIGHT - 1 - cr, (x1 - gap).max(mid + 1), HEIGHT - 1, COMPLAINTS);
        }
    }
    // the WARN threshold of both rates
    let warn = HEIGHT - 1 - bar(1.0, scale.top);
    c.hline(warn, THRESHOLD, 6);
    encode(WIDTH, HEIGHT, &c.px)
}

/// An 8-bit RGB PNG of `px` (`width × height × 3` bytes, rows top to bottom).
pub fn encode(width: u32, height: u32, px: &[u8]) -> Vec<u8> {
    let row = (width * 3) as usize;
    let mut raw = Vec::with_capacity((row + 1) * height as usize);
    for r in px.chunks(row) {
        raw.push(0); // filter: none
        raw.extend_from_slice(r);
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    // writing into a Vec cannot fail
    let idat = z.write_all(&raw).and_then(|()| z.finish()).unwrap_or_default();
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit, RGB, deflate, filter set 0, no interlace
    for (kind, data) in [(b"IHDR", &ihdr[..]), (b"IDAT", &idat[..]), (b"IEND", &[][..])] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads back what [`encode`] wrote (zlib inflate, chunk CRCs), to check pixels.
    fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
        use std::io::Read as _;
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let (mut at, mut w, mut h, mut idat) = (8, 0, 0, Vec::new());
        while at < png.len() {
            let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
            let kind = &png[at + 4..at + 8];
            let data = &png[at + 8..at + 8 + len];
            let crc = u32::from_be_bytes(png[at + 8 + len..at + 12 + len].try_into().unwrap());
            let mut c = flate2::Crc::new();
            c.update(kind);
            c.update(data);
            assert_eq!(c.sum(), crc, "CRC of {:?}", std::str::from_utf8(kind));
            match kind {
                b"IHDR" => {
                    w = u32::from_be_bytes(data[0..4].try_into().unwrap());
                    h = u32::from_be_bytes(data[4..8].try_into().unwrap());
                    assert_eq!(&data[8..], &[8, 2, 0, 0, 0]);
                }
                b"IDAT" => idat.extend_from_slice(data),
                b"IEND" => assert_eq!(len, 0),
                other => panic!("unexpected chunk {other:?}"),
            }
            at += 12 + len;
        }
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(&idat[..]).read_to_end(&mut raw).unwrap();
        let px = raw
            .chunks(w as usize * 3 + 1)
            .flat_map(|r| {
                assert_eq!(r[0], 0);
                r[1..].to_vec()
            })
            .collect();
        (w, h, px)
    }

    fn at(px: &[u8], x: u32, y: u32) -> [u8; 3] {
        let i = ((y * WIDTH + x) * 3) as usize;
        [px[i], px[i + 1], px[i + 2]]
    }

    #[test]
    fn a_valid_png_with_the_bars_where_the_numbers_say() {
        let start: DateTime<Utc> = "2026-11-26T00:00:00Z".parse().unwrap();
        let mut h = Hourly::empty(start, 24, 1);
        h.sends[0] = 100.0;
        h.sends[10] = 50.0;
        h.hard_bounces[10] = 5.0; // 10%: twice the WARN threshold of 5%
        h.complaints[0] = 1.0; // 1%: ten times the complaint WARN of 0.1%
        let scale = Scale::of(&h, 0.05, 0.001, true);
        assert_eq!(scale.top, MAX_TOP, "the highest rate sets the top, up to 4× WARN");
        let png_bytes = png(&h, scale, true);
        let (w, hh, px) = decode(&png_bytes);
        assert_eq!((w, hh, px.len() as u32), (WIDTH, HEIGHT, WIDTH * HEIGHT * 3));
        let slot = |i: u32| i * WIDTH / 24 + 5;
        // hour 0: a full sends bar; hour 10: half
        assert_eq!(at(&px, slot(0), 2), SENDS);
        assert_eq!(at(&px, slot(10), 2), BACKGROUND);
        assert_eq!(at(&px, slot(10), PANEL - 2), SENDS);
        assert_eq!(at(&px, slot(10), PANEL - PANEL / 2 + 2), SENDS);
        // hour 10's hard-bounce bar reaches 2/4 of the panel; hour 0's complaint bar (10×) is cut
        // at the top
        let x_hard = 10 * WIDTH / 24 + 2;
        assert_eq!(at(&px, x_hard, HEIGHT - 3), HARD);
        assert_eq!(at(&px, x_hard, HEIGHT - 1 - PANEL / 2 + 2), HARD);
        assert_eq!(at(&px, x_hard, HEIGHT - 1 - PANEL / 2 - 3), BACKGROUND);
        let x_compl = WIDTH / 24 - 3;
        assert_eq!(at(&px, x_compl, RATES_TOP + 2), COMPLAINTS);
        // not measured: no complaint bars at all
        let (_, _, px) = decode(&png(&h, Scale::of(&h, 0.05, 0.001, false), false));
        assert!(px.chunks(3).all(|p| p != COMPLAINTS));
        // the same numbers, the same bytes
        assert_eq!(png(&h, scale, true), png_bytes);
        assert!(png_bytes.len() < 6_000, "{} bytes", png_bytes.len());
    }
}
