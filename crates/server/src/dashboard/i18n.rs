//! The dashboard's words, Vietnamese first.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "vi" => Some(Self::Vi),
            "en" => Some(Self::En),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Vi => "vi",
            Self::En => "en",
        }
    }
    pub fn other(self) -> Self {
        match self {
            Self::Vi => Self::En,
            Self::En => Self::Vi,
        }
    }
    pub fn t(self) -> &'static Words {
        match self {
            Self::Vi => &VI,
            Self::En => &EN,
        }
    }
}

pub struct Words {
    pub title: &'static str,
    pub login: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub login_failed: &'static str,
    pub too_many: &'static str,
    pub logout: &'static str,
    pub switch_lang: &'static str,
    pub unit: &'static str,
    pub period: &'static str,
    pub date: &'static str,
    pub show: &'static str,
    pub day: &'static str,
    pub week: &'static str,
    pub month: &'static str,
    pub quarter: &'static str,
    pub year: &'static str,
    pub score: &'static str,
    pub target: &'static str,
    pub trend: &'static str,
    pub leaderboard: &'static str,
    pub rank: &'static str,
    pub name: &'static str,
    pub active_members: &'static str,
    pub change: &'static str,
    pub villages_coverage: &'static str,
    /// The monthly activity evidence download (GET /v1/reports/evidence).
    pub evidence: &'static str,
    /// The province administrator's pages: leader accounts, the activity catalogue.
    pub accounts: &'static str,
    pub catalogue: &'static str,
    /// A team's phones (the devices page).
    pub devices: &'static str,
    /// Title of a grouping's second board: its leading teams.
    pub leading_teams: &'static str,
    pub village: &'static str,
    pub population: &'static str,
    pub download: &'static str,
    pub as_of: &'static str,
    pub late: &'static str,
    pub no_data: &'static str,
    pub set_password: &'static str,
    pub code: &'static str,
    pub new_password: &'static str,
    pub password_set: &'static str,
    /// this period: the big number of a card.
    pub this_period: &'static str,
    /// cumulative since (a date follows).
    pub cumulative_since: &'static str,
    /// cumulative, the target having no start date.
    pub cumulative: &'static str,
    /// the due date of a target.
    pub due: &'static str,
    /// before the daily pace needed.
    pub needs: &'static str,
    /// after the daily pace needed.
    pub per_day: &'static str,
    /// a target already met.
    pub target_met: &'static str,
    /// a target past its due date and not met.
    pub past_due: &'static str,
    /// the measure a leaderboard ranks by.
    pub rank_by: &'static str,
    /// the unit search field.
    pub search: &'static str,
    /// the unit search button.
    pub find: &'static str,
    /// heading of the search results.
    pub found: &'static str,
    /// no unit matches the search.
    pub nothing_found: &'static str,
    /// the picker lists no teams: search them.
    pub teams_by_search: &'static str,
    /// the trend's values as a table.
    pub figures: &'static str,
    /// after a count of villages.
    pub villages: &'static str,
    /// how to read the coverage table.
    pub coverage_note: &'static str,
    /// optgroup of teams in the picker.
    pub teams: &'static str,
    /// the change of rank, on a phone where the table has no header.
    pub lbl_change: &'static str,
    /// after the active members, on a phone.
    pub lbl_active: &'static str,
    /// picker group.
    pub kind_province: &'static str,
    /// picker group: groupings of communes (former districts).
    pub kind_grouping: &'static str,
    /// picker group.
    pub kind_district: &'static str,
    /// picker group.
    pub kind_commune: &'static str,
    /// picker group.
    pub kind_village: &'static str,
}

pub static VI: Words = Words {
    title: "Làng số – Tổ công nghệ số cộng đồng",
    login: "Đăng nhập",
    username: "Tên đăng nhập",
    password: "Mật khẩu",
    login_failed: "Tên đăng nhập hoặc mật khẩu không đúng.",
    too_many: "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau.",
    logout: "Đăng xuất",
    switch_lang: "English",
    unit: "Đơn vị",
    period: "Kỳ",
    date: "Ngày",
    show: "Xem",
    day: "Ngày",
    week: "Tuần",
    month: "Tháng",
    quarter: "Quý",
    year: "Năm",
    score: "Điểm",
    target: "Chỉ tiêu",
    trend: "Xu hướng",
    leaderboard: "Bảng xếp hạng",
    rank: "Hạng",
    name: "Tên",
    active_members: "Thành viên hoạt động",
    change: "Thay đổi",
    villages_coverage: "Độ phủ theo thôn",
    evidence: "Minh chứng hoạt động tháng",
    accounts: "Tài khoản",
    catalogue: "Danh mục hoạt động",
    devices: "Thiết bị",
    leading_teams: "Tổ dẫn đầu",
    village: "Thôn",
    population: "Dân số",
    download: "Tải về",
    as_of: "Số liệu tính lúc",
    late: "sự kiện gửi muộn sau khi kỳ kết thúc",
    no_data: "Chưa có số liệu.",
    set_password: "Đặt mật khẩu",
    code: "Mã đặt mật khẩu",
    new_password: "Mật khẩu mới (ít nhất 10 ký tự)",
    password_set: "Đã đặt mật khẩu. Mời đăng nhập.",
    this_period: "trong kỳ",
    cumulative_since: "tích lũy từ",
    cumulative: "tích lũy",
    due: "Hạn",
    needs: "cần",
    per_day: "/ngày",
    target_met: "đã đạt chỉ tiêu",
    past_due: "đã quá hạn",
    rank_by: "Xếp theo",
    search: "Tìm đơn vị, tổ",
    find: "Tìm",
    found: "Kết quả tìm",
    nothing_found: "Không tìm thấy đơn vị nào.",
    teams_by_search: "Các tổ: tìm theo tên ở ô trên, hoặc mở một xã.",
    figures: "Bảng số liệu",
    villages: "thôn",
    coverage_note: "Đã đạt / chỉ tiêu (tỷ lệ) theo từng hoạt động, tích lũy. Chạm vào tên xã để mở.",
    teams: "Tổ",
    lbl_change: "hạng",
    lbl_active: "thành viên hoạt động",
    kind_province: "Tỉnh",
    kind_grouping: "Cụm xã (huyện cũ)",
    kind_district: "Huyện",
    kind_commune: "Xã, phường",
    kind_village: "Thôn, tổ dân phố",
};

pub static EN: Words = Words {
    title: "Langso – community digital technology teams",
    login: "Log in",
    username: "Username",
    password: "Password",
    login_failed: "Wrong username or password.",
    too_many: "Too many failed attempts. Please try again later.",
    logout: "Log out",
    switch_lang: "Tiếng Việt",
    unit: "Unit",
    period: "Period",
    date: "Date",
    show: "Show",
    day: "Day",
    week: "Week",
    month: "Month",
    quarter: "Quarter",
    year: "Year",
    score: "Score",
    target: "Target",
    trend: "Trend",
    leaderboard: "Leaderboard",
    rank: "Rank",
    name: "Name",
    active_members: "Active members",
    change: "Change",
    villages_coverage: "Coverage by village",
    evidence: "Monthly activity evidence",
    accounts: "Accounts",
    catalogue: "Activity catalogue",
    devices: "Phones",
    leading_teams: "Leading teams",
    village: "Village",
    population: "Population",
    download: "Download",
    as_of: "Figures as of",
    late: "events received after the period ended",
    no_data: "No data yet.",
    set_password: "Set password",
    code: "Password-setting code",
    new_password: "New password (at least 10 characters)",
    password_set: "Password set. Please log in.",
    this_period: "this period",
    cumulative_since: "cumulative since",
    cumulative: "cumulative",
    due: "Due",
    needs: "needs",
    per_day: "/day",
    target_met: "target met",
    past_due: "past due",
    rank_by: "Rank by",
    search: "Find a unit or team",
    find: "Find",
    found: "Found",
    nothing_found: "No unit found.",
    teams_by_search: "Teams: find them by name above, or open a commune.",
    figures: "Figures",
    villages: "villages",
    coverage_note: "Reached / target (share) for each activity, cumulative. Tap a commune to open it.",
    teams: "Teams",
    lbl_change: "place",
    lbl_active: "active members",
    kind_province: "Province",
    kind_grouping: "Groupings (former districts)",
    kind_district: "Districts",
    kind_commune: "Communes",
    kind_village: "Villages",
};
