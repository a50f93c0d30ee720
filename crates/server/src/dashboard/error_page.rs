//! The dashboard's error page: what went wrong in the leader's language, the stable code
//! for whoever helps them, and a way back.

use super::i18n::Lang;
use super::page::layout;
use actix_web::http::StatusCode;
use maud::{Markup, html};

/// Heading and advice for an error status, in `lang`.
fn words(lang: Lang, status: StatusCode) -> (&'static str, &'static str) {
    let vi = lang == Lang::Vi;
    match status.as_u16() {
        400 => {
            if vi {
                (
                    "Yêu cầu không hợp lệ",
                    "Một giá trị trong địa chỉ hoặc biểu mẫu không đúng (ví dụ ngày phải từ năm 2000 đến 2100). Hãy quay lại và chọn lại.",
                )
            } else {
                (
                    "Invalid request",
                    "A value in the address or the form is not valid (dates, for example, run from 2000 to 2100). Go back and choose again.",
                )
            }
        }
        401 => {
            if vi {
                (
                    "Cần đăng nhập",
                    "Phiên đăng nhập đã hết hạn hoặc chưa đăng nhập. Mời đăng nhập lại.",
                )
            } else {
                (
                    "Please log in",
                    "Your session has ended or you are not logged in. Please log in again.",
                )
            }
        }
        403 => {
            if vi {
                (
                    "Không có quyền",
                    "Bạn không có quyền xem hoặc làm việc này.",
                )
            } else {
                ("Not allowed", "You are not allowed to see or do this.")
            }
        }
        404 => {
            if vi {
                ("Không tìm thấy", "Không có trang hoặc đơn vị này.")
            } else {
                ("Not found", "There is no such page or unit.")
            }
        }
        408 => {
            if vi {
                (
                    "Gửi quá chậm",
                    "Dữ liệu gửi lên quá chậm nên đã bị ngắt. Vui lòng thử lại khi mạng tốt hơn.",
                )
            } else {
                (
                    "Too slow",
                    "What you sent arrived too slowly and was cut off. Please try again on a better connection.",
                )
            }
        }
        413 => {
            if vi {
                (
                    "Dữ liệu quá lớn",
                    "Nội dung gửi lên vượt quá giới hạn cho phép.",
                )
            } else {
                ("Too large", "What you sent is larger than allowed.")
            }
        }
        415 => {
            if vi {
                (
                    "Định dạng không được hỗ trợ",
                    "Biểu mẫu phải được gửi từ trang này.",
                )
            } else {
                (
                    "Unsupported format",
                    "The form must be sent from this page.",
                )
            }
        }
        431 => {
            if vi {
                (
                    "Tiêu đề yêu cầu quá lớn",
                    "Hãy xóa cookie của trang này rồi thử lại.",
                )
            } else {
                (
                    "Request headers too large",
                    "Clear this site's cookies and try again.",
                )
            }
        }
        s if s >= 500 => {
            if vi {
                (
                    "Máy chủ gặp sự cố",
                    "Vui lòng thử lại sau ít phút. Nếu vẫn lỗi, hãy báo cho quản trị viên kèm mã lỗi dưới đây.",
                )
            } else {
                (
                    "Server problem",
                    "Please try again in a few minutes. If it persists, tell the administrator the code below.",
                )
            }
        }
        _ => {
            if vi {
                ("Không thực hiện được", "Yêu cầu không thực hiện được.")
            } else {
                ("Could not be done", "The request could not be carried out.")
            }
        }
    }
}

/// The page for an error `status` with the API's stable `code`.
pub fn page(lang: Lang, status: StatusCode, code: &str) -> Markup {
    let (heading, advice) = match (code, lang) {
        (crate::leader::SCOPE_NOT_ON_MAP, Lang::Vi) => (
            "Địa bàn của bạn không còn trên bản đồ hành chính",
            "Bản đồ đơn vị hành chính đã thay đổi (sắp xếp đơn vị hành chính) và địa bàn của tài khoản này không còn. Hãy nhờ quản trị viên giao địa bàn mới (langso rescope-user).",
        ),
        (crate::leader::SCOPE_NOT_ON_MAP, Lang::En) => (
            "Your area is no longer on the administrative map",
            "The administrative map changed and this account's area no longer exists. Ask the administrator to give you a new one (langso rescope-user).",
        ),
        _ => words(lang, status),
    };
    let (home, login) = match lang {
        Lang::Vi => ("Về trang chính", "Đăng nhập"),
        Lang::En => ("Back to the dashboard", "Log in"),
    };
    layout(
        lang,
        heading,
        None,
        html! {
            section.login {
                h2 { (heading) }
                p.err role="alert" { (advice) }
                p.muted { (status.as_u16()) " · " code { (code) } }
                p { a href=(format!("/?lang={}", lang.code())) { (home) } " · "
                    a href=(format!("/login?lang={}", lang.code())) { (login) } }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_vietnamese_by_default_and_names_the_code() {
        let html = page(Lang::Vi, StatusCode::PAYLOAD_TOO_LARGE, "body_too_large").into_string();
        assert!(html.contains("Dữ liệu quá lớn"), "{html}");
        assert!(html.contains("body_too_large"));
        assert!(html.contains("lang=\"vi\""));
    }
}
