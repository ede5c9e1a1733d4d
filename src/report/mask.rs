//! Masks personal data in free text before it reaches a report or an alert:
//! mobile numbers (138****5678), landlines (0769-****5678), long digit runs
//! (all but the last four digits) and e-mail addresses (z***@example.com).

/// `text` with phone numbers and e-mail addresses masked.
pub fn mask_personal(text: &str) -> String {
    mask_emails(&mask_numbers(text))
}

fn mask_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_digit()
                || (chars[i] == '-' && i + 1 < chars.len() && chars[i + 1].is_ascii_digit()))
        {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        out.push_str(&mask_number(&run));
    }
    out
}

fn mask_number(run: &str) -> String {
    let digits: Vec<char> = run.chars().filter(char::is_ascii_digit).collect();
    // Mobile numbers, also written 138-1234-5678.
    let is_mobile = digits.len() == 11 && digits[0] == '1';
    if is_mobile {
        let d: String = digits.iter().collect();
        return format!("{}****{}", &d[..3], &d[7..]);
    }
    // 0769-12345678: keep the area code and the last four digits.
    if let Some((area, number)) = run.split_once('-') {
        if area.starts_with('0') && (3..=4).contains(&area.len()) && (7..=8).contains(&number.len())
        {
            return format!(
                "{area}-{}{}",
                "*".repeat(number.len() - 4),
                &number[number.len() - 4..]
            );
        }
    }
    // Other runs of 7 or more digits (phones without separators, id numbers).
    if digits.len() >= 7 && !run.contains('-') {
        return format!("{}{}", "*".repeat(run.len() - 4), &run[run.len() - 4..]);
    }
    run.to_string()
}

fn mask_emails(text: &str) -> String {
    let is_local = |c: char| c.is_ascii_alphanumeric() || "._%+-".contains(c);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '@'
            && i > 0
            && is_local(chars[i - 1])
            && i + 1 < chars.len()
            && chars[i + 1].is_ascii_alphanumeric()
        {
            // Rewind the local part already copied.
            let mut local_len = 0;
            while local_len < out.chars().count()
                && is_local(out.chars().rev().nth(local_len).expect("counted"))
            {
                local_len += 1;
            }
            let kept: String = out.chars().take(out.chars().count() - local_len).collect();
            let local: String = out.chars().skip(kept.chars().count()).collect();
            out = kept;
            out.push(local.chars().next().expect("non-empty local part"));
            out.push_str("***");
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_emails_are_masked() {
        assert_eq!(
            mask_personal("客户电话13812345678，请回电"),
            "客户电话138****5678，请回电"
        );
        assert_eq!(mask_personal("座机 0769-22334455"), "座机 0769-****4455");
        assert_eq!(mask_personal("手机 138-1234-5678"), "手机 138****5678");
        assert_eq!(
            mask_personal("联系 zhang.san@example.com 谢谢"),
            "联系 z***@example.com 谢谢"
        );
        assert_eq!(
            mask_personal("身份证 440301199001011234"),
            "身份证 **************1234"
        );
    }

    #[test]
    fn ordinary_numbers_stay() {
        assert_eq!(
            mask_personal("2026-10-03 送货延误 3 天，订单 12345"),
            "2026-10-03 送货延误 3 天，订单 12345"
        );
        assert_eq!(mask_personal("满意度 82.1%"), "满意度 82.1%");
    }
}
