//! One colour per model, the same in every chart and every report: the hue says
//! the family (blues for stackless, greens for stackful, ...), the shade which
//! model of it.
//!
//! A model's shade is its place in its family: the models this project ships come
//! first in a fixed order, so tokio is the same blue in a report that lacks
//! minirt; a model added later (a student's) comes after them, by name.

use std::collections::BTreeMap;

use plotters::style::RGBColor;

/// The families in the order the docs present them, each with its shades, most
/// saturated first (ColorBrewer's sequential ramps, mid-tones that read on white).
const FAMILIES: [(&str, [RGBColor; 4]); 6] = [
    (
        "baseline",
        [
            RGBColor(82, 82, 82),
            RGBColor(150, 150, 150),
            RGBColor(37, 37, 37),
            RGBColor(189, 189, 189),
        ],
    ),
    (
        "callbacks",
        [
            RGBColor(230, 85, 13),
            RGBColor(253, 141, 60),
            RGBColor(166, 54, 3),
            RGBColor(253, 174, 107),
        ],
    ),
    (
        "stackless",
        [
            RGBColor(33, 113, 181),
            RGBColor(107, 174, 214),
            RGBColor(8, 48, 107),
            RGBColor(66, 146, 198),
        ],
    ),
    (
        "stackful",
        [
            RGBColor(35, 139, 69),
            RGBColor(116, 196, 118),
            RGBColor(0, 68, 27),
            RGBColor(65, 171, 93),
        ],
    ),
    (
        "csp",
        [
            RGBColor(106, 81, 163),
            RGBColor(158, 154, 200),
            RGBColor(63, 0, 125),
            RGBColor(128, 125, 186),
        ],
    ),
    (
        "actors",
        [
            RGBColor(203, 24, 29),
            RGBColor(251, 106, 74),
            RGBColor(103, 0, 13),
            RGBColor(239, 59, 44),
        ],
    ),
];

/// Families this project does not know yet: teal, then brown.
const OTHER_FAMILIES: [[RGBColor; 4]; 2] = [
    [
        RGBColor(1, 102, 94),
        RGBColor(90, 180, 172),
        RGBColor(0, 60, 48),
        RGBColor(53, 151, 143),
    ],
    [
        RGBColor(140, 81, 10),
        RGBColor(191, 129, 45),
        RGBColor(84, 48, 5),
        RGBColor(223, 194, 125),
    ],
];

/// The shipped models in their family's order: they keep their shade in every
/// report. (The registry lives in the root crate, which the harness cannot see.)
const KNOWN: [&str; 9] = [
    "sequential",
    "threads",
    "callbacks",
    "tokio",
    "tokio-current",
    "minirt",
    "may",
    "crossbeam",
    "actix",
];

/// A colour as CSS and SVG write it: `#2171B5` (plotters writes it the same way).
pub fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// `c` mixed with white: `amount` 0 is `c`, 1 is white. The start-up part of a
/// wall-time bar is its model's colour, lighter.
pub fn lighter(c: RGBColor, amount: f64) -> RGBColor {
    let mix = |v: u8| (f64::from(v) + (255.0 - f64::from(v)) * amount).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// A family of a report: its name, its own colour (its first shade), and its
/// models with theirs, in shade order.
#[derive(Debug, Clone)]
pub struct FamilyColours {
    pub name: String,
    pub colour: RGBColor,
    pub models: Vec<(String, RGBColor)>,
}

/// Every model of a report with its colour, grouped by family.
#[derive(Debug, Clone, Default)]
pub struct Palette {
    /// Families in presentation order.
    families: Vec<FamilyColours>,
    by_model: BTreeMap<String, RGBColor>,
}

impl Palette {
    /// The palette of every (model, family) pair given; repeats are fine.
    pub fn new<'a>(models: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut by_family: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (model, family) in models {
            let members = by_family.entry(family.to_ascii_lowercase()).or_default();
            if !members.iter().any(|m| m == model) {
                members.push(model.to_owned());
            }
        }
        let rank = |family: &str| {
            FAMILIES
                .iter()
                .position(|(f, _)| *f == family)
                .unwrap_or(FAMILIES.len())
        };
        let mut names: Vec<String> = by_family.keys().cloned().collect();
        names.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
        let mut palette = Self::default();
        let mut unknown = 0;
        for family in names {
            let shades = match FAMILIES.iter().find(|(f, _)| *f == family) {
                Some((_, shades)) => *shades,
                None => {
                    unknown += 1;
                    OTHER_FAMILIES[(unknown - 1) % OTHER_FAMILIES.len()]
                }
            };
            let mut members = by_family.remove(&family).unwrap_or_default();
            // Known models first, in their fixed order; the rest by name.
            let known = |m: &str| KNOWN.iter().position(|k| *k == m);
            members.sort_by(|a, b| match (known(a), known(b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => a.cmp(b),
            });
            // A shipped model's shade is its place among the shipped models of its
            // family, so a report without its siblings still gives it its colour;
            // any other model takes the first place none of them holds.
            let mut taken: Vec<usize> = members
                .iter()
                .filter(|m| known(m).is_some())
                .map(|m| known_place(m, &family))
                .collect();
            let mut coloured = Vec::new();
            for m in members {
                let place = match known(&m) {
                    Some(_) => known_place(&m, &family),
                    None => {
                        let free = (0..).find(|p| !taken.contains(p)).unwrap_or(0);
                        taken.push(free);
                        free
                    }
                };
                // Past the fourth shade a family repeats, lighter each round.
                let round = place / shades.len();
                let colour = lighter(shades[place % shades.len()], 0.25 * round as f64);
                palette.by_model.insert(m.clone(), colour);
                coloured.push((m, colour));
            }
            palette.families.push(FamilyColours {
                name: family,
                colour: shades[0],
                models: coloured,
            });
        }
        palette
    }

    /// The model's colour; a model the palette was not built with is black.
    pub fn colour(&self, model: &str) -> RGBColor {
        self.by_model
            .get(model)
            .copied()
            .unwrap_or(RGBColor(0, 0, 0))
    }

    /// The families, in presentation order.
    pub fn families(&self) -> &[FamilyColours] {
        &self.families
    }
}

/// A shipped model's place among the shipped models of its family.
fn known_place(model: &str, family: &str) -> usize {
    const FAMILY_OF: [(&str, &str); 9] = [
        ("sequential", "baseline"),
        ("threads", "baseline"),
        ("callbacks", "callbacks"),
        ("tokio", "stackless"),
        ("tokio-current", "stackless"),
        ("minirt", "stackless"),
        ("may", "stackful"),
        ("crossbeam", "csp"),
        ("actix", "actors"),
    ];
    FAMILY_OF
        .iter()
        .filter(|(_, f)| *f == family)
        .position(|(m, _)| *m == model)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_keeps_its_colour_whatever_else_is_in_the_report() {
        let all = Palette::new([
            ("tokio", "Stackless"),
            ("minirt", "Stackless"),
            ("tokio-current", "Stackless"),
            ("may", "Stackful"),
        ]);
        let alone = Palette::new([("minirt", "stackless")]);
        assert_eq!(all.colour("minirt"), alone.colour("minirt"));
        assert_ne!(all.colour("tokio"), all.colour("minirt"));
        // Same family, same hue ramp; another family, another ramp.
        assert_eq!(all.colour("tokio"), FAMILIES[2].1[0]);
        assert_eq!(all.colour("may"), FAMILIES[3].1[0]);
        let names: Vec<&str> = all.families().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["stackless", "stackful"]);
    }

    #[test]
    fn new_models_and_families_get_colours_of_their_own() {
        let p = Palette::new([
            ("tokio", "stackless"),
            ("mine", "stackless"),
            ("x", "green-threads"),
        ]);
        let colours = [p.colour("tokio"), p.colour("mine"), p.colour("x")];
        assert!(colours[0] != colours[1] && colours[1] != colours[2]);
        // `mine` takes the first shade no shipped stackless model in the report holds.
        assert_eq!(colours[1], FAMILIES[2].1[1]);
        let gap = Palette::new([
            ("tokio", "stackless"),
            ("minirt", "stackless"),
            ("m", "stackless"),
        ]);
        assert_eq!(
            gap.colour("m"),
            FAMILIES[2].1[1],
            "minirt keeps the third shade"
        );
        assert_eq!(hex(RGBColor(33, 113, 181)), "#2171B5");
    }
}
