//! The account pages (issue 9): log in, with "forgot password?" saying whom to ask, and
//! set a password with a one-time code, typed twice, every error in the page's language,
//! a way back to the login page.

use super::i18n::Lang;
use super::page::layout;
use maud::{Markup, html};

/// What the account pages say beyond the dashboard's words (super::i18n).
struct AccountWords {
    forgot: &'static str,
    forgot_answer: &'static str,
    confirm_password: &'static str,
    back_to_login: &'static str,
    mismatch: &'static str,
    too_short: &'static str,
    bad_code: &'static str,
    disabled: &'static str,
    refused: &'static str,
}

static VI: AccountWords = AccountWords {
    forgot: "Quên mật khẩu?",
    forgot_answer: "Hãy nhờ quản trị viên của tỉnh đặt lại mật khẩu (lệnh langso reset-password). \
                    Bạn sẽ nhận một mã dùng một lần để đặt mật khẩu mới tại trang Đặt mật khẩu.",
    confirm_password: "Nhập lại mật khẩu mới",
    back_to_login: "Quay lại trang đăng nhập",
    mismatch: "Hai mật khẩu không khớp. Vui lòng nhập lại.",
    too_short: "Mật khẩu phải dài từ 10 đến 128 ký tự.",
    bad_code: "Mã không đúng, đã dùng hoặc đã hết hạn, hoặc không phải của tên đăng nhập này. \
               Hãy xin quản trị viên của tỉnh một mã mới.",
    disabled: "Tài khoản này đã bị khóa. Hãy liên hệ quản trị viên của tỉnh.",
    refused: "Không thể đặt mật khẩu. Vui lòng kiểm tra lại thông tin.",
};

static EN: AccountWords = AccountWords {
    forgot: "Forgot password?",
    forgot_answer: "Ask the province administrator to reset your password (langso \
                    reset-password). You get a one-time code to set a new password on the \
                    Set password page.",
    confirm_password: "New password again",
    back_to_login: "Back to log in",
    mismatch: "The two passwords do not match. Please type them again.",
    too_short: "A password must be 10 to 128 characters long.",
    bad_code: "The code is wrong, used or expired, or not for this username. Ask the \
               province administrator for a new one.",
    disabled: "This account is disabled. Please contact the province administrator.",
    refused: "The password could not be set. Please check what you entered.",
};

fn words(lang: Lang) -> &'static AccountWords {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// Why a login or password form was refused, in the page's language (stable API codes in).
pub fn refusal(lang: Lang, code: &str) -> &'static str {
    let (w, t) = (words(lang), lang.t());
    match code {
        "password_mismatch" => w.mismatch,
        "invalid_password" => w.too_short,
        "invalid_code" => w.bad_code,
        "too_many_attempts" => t.too_many,
        "account_disabled" => w.disabled,
        "invalid_credentials" => t.login_failed,
        _ => w.refused,
    }
}

/// The login page; `error` and `notice` are already in `lang`.
pub fn login(lang: Lang, error: Option<&str>, notice: Option<&str>) -> Markup {
    let (t, w) = (lang.t(), words(lang));
    layout(
        lang,
        t.title,
        None,
        html! {
            section.login {
                h2 { (t.title) }
                @if let Some(e) = error { p.err role="alert" { (e) } }
                @if let Some(n) = notice { p role="status" { (n) } }
                form method="post" action="/login" {
                    input type="hidden" name="lang" value=(lang.code());
                    label { (t.username) input name="username" autocomplete="username" required; }
                    label { (t.password) input name="password" type="password" autocomplete="current-password" required; }
                    button.go type="submit" id="login" { (t.login) }
                }
                details id="forgot" {
                    summary { (w.forgot) }
                    p { (w.forgot_answer) }
                }
                p { a href=(format!("/set-password?lang={}", lang.code())) { (t.set_password) } " · "
                    a href=(format!("/login?lang={}", lang.other().code())) id="lang" { (t.switch_lang) } }
            }
        },
    )
}

/// The set-password page; `error` is already in `lang`.
pub fn set_password(lang: Lang, error: Option<&str>) -> Markup {
    let (t, w) = (lang.t(), words(lang));
    layout(
        lang,
        t.set_password,
        None,
        html! {
            section.login {
                h2 { (t.set_password) }
                @if let Some(e) = error { p.err role="alert" { (e) } }
                form method="post" action="/set-password" {
                    input type="hidden" name="lang" value=(lang.code());
                    label { (t.username) input name="username" autocomplete="username" required; }
                    label { (t.code) input name="code" autocomplete="one-time-code" required; }
                    label { (t.new_password) input name="password" type="password" autocomplete="new-password" minlength="10" required; }
                    label { (w.confirm_password) input name="password_confirm" type="password" autocomplete="new-password" minlength="10" required; }
                    button.go type="submit" { (t.set_password) }
                }
                p { a href=(format!("/login?lang={}", lang.code())) id="back" { (w.back_to_login) } " · "
                    a href=(format!("/set-password?lang={}", lang.other().code())) id="lang" { (t.switch_lang) } }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_speaks_the_page_language() {
        for code in ["password_mismatch", "invalid_password", "invalid_code", "x"] {
            assert_ne!(refusal(Lang::Vi, code), refusal(Lang::En, code), "{code}");
        }
        assert!(
            login(Lang::Vi, None, None)
                .into_string()
                .contains("Quên mật khẩu?")
        );
        assert!(
            login(Lang::En, None, None)
                .into_string()
                .contains("Forgot password?")
        );
    }
}
