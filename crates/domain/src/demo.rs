//! Deterministic demo data: villages, teams and members over a real administrative tree.
//!
//! No public list of Quảng Ninh's villages exists, so they are generated to the programme's
//! real totals (1,452 villages, 11,255 members, ~1.36 million people) with plausible names.
//! Teams follow today's practice (see /work/shared/brief.md, "Since 2025"): one team for
//! every village or residential group, at least 7 members each ([`generate`]), plus one
//! team a commune forms ([`commune_teams`], over the communes of the map in force). The
//! same tree and seed give the same output, byte for byte.

use crate::ids::{MemberId, TeamId, VillageId};
use crate::text::nfc;
use crate::units::{HierarchyVersion, Level, Unit};

mod teams;

pub use teams::commune_teams;

/// 9 November 2022, the month Resolution 09-NQ/TU's programme got under way.
pub const DEFAULT_SEED: u64 = 20_221_109;

const VILLAGES: usize = 1_452;
/// The programme's volunteers: village teams' and commune teams' members together.
const MEMBERS: usize = 11_255;
/// Members of the village teams; the commune teams share the rest.
const VILLAGE_MEMBERS: usize = 10_500;
const MIN_VILLAGES: usize = 3;
/// A team has at least 7 members (village head, Youth Union, police, Women's and Farmers'
/// unions: the brief's "Since 2025").
pub const MIN_MEMBERS: usize = 7;
const POPULATION: u64 = 1_360_000;
/// Bình Liêu, Tiên Yên, Đầm Hà, Hải Hà, Ba Chẽ: where villages are "bản" with Tày/Dao names.
const MOUNTAIN_DISTRICTS: [&str; 5] = ["198", "199", "200", "201", "202"];
/// Salts the seed-independent stream that splits villages among communes, so a village id
/// belongs to the same commune whatever the seed.
const LAYOUT_SALT: u64 = 0x4c61_6e67_736f;
const TEAM_PREFIX: &str = "Tổ công nghệ số cộng đồng ";

const VIET_A: &str = "Đông Tây Nam Bắc Trung Thượng Hạ An Tân Yên Bình Phú Vĩnh Hòa Đồng Cẩm \
    Quang Xuân Hồng Thanh Minh Lạc Vạn Hà Kim Ngọc Hải Tiền";
const VIET_B: &str = "Ngũ Sơn Hải Lâm Thành Hưng Lợi Tiến Thịnh Phong Long Khê Thủy Trà Mai Xá \
    Châu Đình Lộc Cường Dương Đức Tâm Cối Lập Hòa Bình Trung";
const TAY_A: &str = "Nà Khe Pắc Lục Khau Húc Bắc Phai Nặm Pò Cốc Khuổi Pác Co Tình Nà Khe";
const TAY_B: &str = "Khau Mò Áng Lầy Phạ Cáy Sa Vài Làu Ngàn Cáu Sáy Mạ Pịt Hin Tậu Nghè Bó \
    Luông Slam Chang Dạo Mằn Phình Lò";
// Repeats weight the draw: Nguyễn is by far the commonest family name.
const FAMILY_KINH: &str = "Nguyễn Nguyễn Nguyễn Nguyễn Trần Trần Lê Lê Phạm Phạm Hoàng Vũ Đặng \
    Bùi Đỗ Hồ Ngô Dương Lý Phan Vương Đinh Hà Lương Trịnh Triệu";
const FAMILY_MOUNTAIN: &str = "Hoàng Hoàng Nông Nông Triệu Triệu Lý Lý Đặng Đặng Chìu Lỷ La \
    Vi Hà Lục Nguyễn Nguyễn Trần Lê Phạm Dương";
const MIDDLE_M: &str = "Văn Văn Văn Đức Minh Quang Hữu Xuân Thanh Ngọc Tiến Mạnh Công";
const MIDDLE_F: &str = "Thị Thị Thị Thu Ngọc Thanh Hồng Minh Phương Thùy Kim Bích";
const GIVEN_M: &str = "Hùng Dũng Tuấn Nam Hải Long Sơn Thắng Cường Hiếu Quân Phong Đạt Tùng \
    Trung Khánh Huy Thành Bình Toàn Kiên Lâm Duy Hoàng Vinh Chiến";
const GIVEN_F: &str = "Lan Hương Hoa Mai Linh Trang Hà Thảo Huyền Nhung Yến Hằng Thủy Nga \
    Dung Vân Phương Giang Anh Loan Ngân Chi Hạnh Quyên";

#[derive(Clone, Debug, PartialEq)]
pub struct DemoVillage {
    pub id: VillageId,
    pub name: String,
    pub commune_code: String,
    pub population: u32,
    pub households: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DemoTeam {
    pub id: TeamId,
    pub name: String,
    /// `Village` for a village's team, `Commune` for a commune team.
    pub level: Level,
    pub commune_code: String,
    pub villages: Vec<VillageId>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DemoMember {
    pub id: MemberId,
    pub team: TeamId,
    pub name: String,
    /// "leader" (each team's first member), "deputy" (its second) or "member".
    pub role: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Demo {
    pub villages: Vec<DemoVillage>,
    pub teams: Vec<DemoTeam>,
    pub members: Vec<DemoMember>,
}

/// Generates the programme's villages over `tree`'s communes, one team for every village
/// (T00001 covers V000001, and so on) and their members (10,500 of the 11,255; the
/// commune teams of [`commune_teams`] take the rest).
///
/// # Panics
/// If the tree has no communes, or more than 1,452 / 3 (each commune gets three villages).
pub fn generate(tree: &HierarchyVersion, seed: u64) -> Demo {
    let communes: Vec<&Unit> = tree.communes().collect();
    assert!(
        !communes.is_empty() && communes.len() * MIN_VILLAGES <= VILLAGES,
        "demo data needs 1 to {} communes, the tree has {}",
        VILLAGES / MIN_VILLAGES,
        communes.len()
    );
    let villages = villages(&communes, seed);
    let teams = teams::teams(&communes, &villages);
    let members = teams::members(&communes, &villages, &teams, seed);
    debug_assert_eq!(members.len(), VILLAGE_MEMBERS);
    Demo {
        villages,
        teams,
        members,
    }
}

/// SplitMix64, hand-written so the demo data stays identical whatever crate versions the
/// lockfile holds (a `rand` upgrade may change its streams).
struct Rng(u64);

impl Rng {
    /// A stream for one key (a commune code, say), so one commune's draws never shift
    /// another's.
    fn new(seed: u64, key: &str) -> Self {
        let fnv = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        Self(seed ^ fnv)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (the multiply-shift bias is far below anything a demo shows).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, words: &'a str) -> &'a str {
        let n = words.split_whitespace().count() as u64;
        let i = self.below(n) as usize;
        words.split_whitespace().nth(i).unwrap_or_default()
    }
}

/// Splits `total` in proportion to `weights` by largest remainder (ties to the earlier
/// index), so the shares always add up to `total` exactly.
fn apportion(total: usize, weights: &[u64]) -> Vec<usize> {
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum::<u128>().max(1);
    let total_w = |i: usize| total as u128 * u128::from(weights[i]);
    let mut shares: Vec<usize> = (0..weights.len())
        .map(|i| (total_w(i) / sum) as usize)
        .collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(total_w(i) % sum), i));
    let missing = total - shares.iter().sum::<usize>();
    for &i in order.iter().take(missing) {
        shares[i] += 1;
    }
    shares
}

#[derive(Clone, Copy, PartialEq)]
enum Setting {
    Urban,
    Township,
    Lowland,
    Mountain,
}

impl Setting {
    fn of(c: &Unit) -> Self {
        let mountain = c
            .parent_code
            .as_deref()
            .is_some_and(|d| MOUNTAIN_DISTRICTS.contains(&d));
        match c.unit_type.as_str() {
            "Phường" => Self::Urban,
            "Thị trấn" => Self::Township,
            _ if mountain => Self::Mountain,
            _ => Self::Lowland,
        }
    }
    /// (share of the villages, a typical village's people before scaling to the province's
    /// total, people a household in tenths): rural communes spread over more, smaller
    /// villages than wards do, and mountain households are larger.
    fn figures(self) -> (u64, u64, u64) {
        match self {
            Self::Urban => (8, 1_800, 35),
            Self::Township => (10, 1_200, 36),
            Self::Lowland => (14, 800, 37),
            Self::Mountain => (14, 550, 42),
        }
    }
}

fn villages(communes: &[&Unit], seed: u64) -> Vec<DemoVillage> {
    let weights: Vec<u64> = communes
        .iter()
        .map(|c| Setting::of(c).figures().0 * (75 + Rng::new(LAYOUT_SALT, &c.code).below(51)))
        .collect();
    let extra = apportion(VILLAGES - MIN_VILLAGES * communes.len(), &weights);
    // (name, commune code, relative population, people a household in tenths)
    let mut drafts: Vec<(String, &str, u64, u64)> = Vec::with_capacity(VILLAGES);
    for (c, n) in communes.iter().zip(extra) {
        let setting = Setting::of(c);
        let (_, base, household) = setting.figures();
        let mut rng = Rng::new(seed, &c.code);
        for name in village_names(c, setting, MIN_VILLAGES + n, &mut rng) {
            // Sum of two uniforms: 0.4 to 1.8 times the base, most near 1.1.
            let people = base * (40 + rng.below(71) + rng.below(71)) / 100;
            let tenths = household + rng.below(5) - 2;
            drafts.push((name, &c.code, people, tenths));
        }
    }
    let raw_total: u64 = drafts.iter().map(|d| d.2).sum();
    drafts
        .into_iter()
        .enumerate()
        .map(|(i, (name, commune, people, tenths))| {
            let population = (people * POPULATION / raw_total).clamp(150, 4_000);
            DemoVillage {
                id: VillageId::from_index(i + 1),
                name,
                commune_code: commune.to_owned(),
                population: population as u32,
                households: ((population * 10 + tenths / 2) / tenths) as u32,
            }
        })
        .collect()
}

/// `n` names, unique within the commune. A rural commune's first village bears the
/// commune's own name (communes are often named after their seat village).
fn village_names(c: &Unit, setting: Setting, n: usize, rng: &mut Rng) -> Vec<String> {
    let style = rng.below(100);
    let (prefix, named) = match setting {
        Setting::Urban | Setting::Township if style < 50 => ("Khu", false),
        Setting::Urban | Setting::Township if style < 65 => ("Khu phố", false),
        Setting::Urban | Setting::Township if style < 85 => ("Khu phố", true),
        Setting::Urban | Setting::Township => ("Tổ", false),
        Setting::Lowland => ("Thôn", style >= 35),
        Setting::Mountain => ("Thôn", true),
    };
    let mut names = Vec::with_capacity(n);
    let own = c
        .name
        .strip_prefix(c.unit_type.as_str())
        .unwrap_or(&c.name)
        .trim();
    if matches!(setting, Setting::Lowland | Setting::Mountain) && !own.is_empty() {
        names.push(nfc(&format!("Thôn {own}")));
    }
    let (mut number, mut attempts) = (0, 0);
    while names.len() < n {
        attempts += 1;
        let name = if named && attempts <= 8 * n {
            let (prefix, a, b) = match setting {
                Setting::Mountain if rng.chance(80) => {
                    let prefix = if rng.chance(50) { "Bản" } else { "Thôn" };
                    (prefix, rng.pick(TAY_A), rng.pick(TAY_B))
                }
                Setting::Mountain => ("Bản", rng.pick(VIET_A), rng.pick(VIET_B)),
                _ => (prefix, rng.pick(VIET_A), rng.pick(VIET_B)),
            };
            if a == b {
                continue;
            }
            format!("{prefix} {a} {b}")
        } else {
            number += 1;
            format!("{prefix} {number}")
        };
        let name = nfc(&name);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

#[cfg(test)]
mod tests;
