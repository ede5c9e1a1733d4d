//! Masks personal data in free text before it reaches a report, an alert or
//! a log line: mobile numbers (138****5678, also written `138 1234 5678`,
//! `138-1234-5678` or in full-width digits), landlines with or without an
//! extension (0769-****5678, 010-****5678-123), 18-digit identity numbers
//! (身份证, the last character may be X), other long digit runs (all but the
//! last four digits) and e-mail addresses (z***@example.com).
//!
//! **Invariant:** masking is linear in the length of its input, and its
//! input and output are bounded: text longer than [`MAX_CHARS`] characters
//! is cut there with a visible marker first (the store's own bound, 32,000
//! characters and its marker, passes untouched), and an output that masking
//! made longer is cut the same way, so a masked value always fits an Excel
//! cell (32,767). Every character is looked at a fixed number of times (an
//! e-mail's local part is found by scanning back no further than the end
//! of the previous match), so a hostile cell such as ten megabytes of
//! `a@a@a@…` costs no more than any other.

/// The most characters masked and returned; longer text is cut (with
/// [`truncation_marker`]) to this in all.
pub const MAX_CHARS: usize = 32_700;

/// What ends a text cut to [`MAX_CHARS`]: how long the original was.
pub fn truncation_marker(original_chars: usize) -> String {
    format!("… [截断 truncated: {original_chars} characters]")
}

/// `text` with phone numbers, identity numbers and e-mail addresses masked,
/// at most [`MAX_CHARS`] characters (cut with a marker when longer).
pub fn mask_personal(text: &str) -> String {
    let chars: Vec<char> = text.chars().take(MAX_CHARS + 1).collect();
    let mut cut = chars.len() > MAX_CHARS;
    let chars = &chars[..chars.len().min(MAX_CHARS)];
    let mut out = String::with_capacity(text.len().min(4 * MAX_CHARS) + 64);
    let mut copied = 0;
    for (local_start, at) in email_local_parts(chars) {
        mask_numbers(&chars[copied..local_start], &mut out);
        out.push(chars[local_start]);
        out.push_str("***@");
        copied = at + 1;
    }
    mask_numbers(&chars[copied..], &mut out);
    let out_chars = out.chars().count();
    cut |= out_chars > MAX_CHARS;
    if cut {
        let marker = truncation_marker(text.chars().count());
        let keep = MAX_CHARS - marker.chars().count();
        if let Some((end, _)) = out.char_indices().nth(keep) {
            out.truncate(end);
        }
        out.push_str(&marker);
    }
    out
}

/// A character of an e-mail address's local part.
fn is_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._%+-".contains(c)
}

/// The e-mail addresses in `chars`: (start of the local part, index of the
/// `@`), in order and not overlapping. Linear: the scan back for a local
/// part stops at the end of the previous match.
fn email_local_parts(chars: &[char]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut floor = 0;
    for at in 0..chars.len() {
        if chars[at] != '@'
            || at == floor
            || !is_local(chars[at - 1])
            || !chars.get(at + 1).is_some_and(char::is_ascii_alphanumeric)
        {
            continue;
        }
        let mut start = at;
        while start > floor && is_local(chars[start - 1]) {
            start -= 1;
        }
        found.push((start, at));
        floor = at + 1;
    }
    found
}

/// The value of an ASCII or full-width (０–９) digit.
fn digit_value(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '０'..='９' => Some((c as u32 - '０' as u32) as u8),
        _ => None,
    }
}

fn is_digit(c: char) -> bool {
    digit_value(c).is_some()
}

fn is_dash(c: char) -> bool {
    c == '-' || c == '－'
}

fn is_id_check(c: char) -> bool {
    matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ')
}

/// Appends `chars` to `out` with every number masked. A number is a run of
/// digits joined by single dashes or spaces (each followed by a digit);
/// an X/x after seventeen digits (an identity number's check character)
/// belongs to it.
fn mask_numbers(chars: &[char], out: &mut String) {
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() {
            if is_digit(chars[i]) {
                i += 1;
            } else if (is_dash(chars[i]) || chars[i] == ' ')
                && chars.get(i + 1).is_some_and(|c| is_digit(*c))
            {
                i += 1;
            } else {
                break;
            }
        }
        // 身份证: seventeen digits and a check character X.
        if chars.get(i).is_some_and(|c| is_id_check(*c))
            && !chars.get(i + 1).is_some_and(|c| c.is_ascii_alphanumeric())
            && chars[start..i].iter().filter(|c| is_digit(**c)).count() == 17
        {
            i += 1;
        }
        mask_run(&chars[start..i], out);
    }
}

/// Masks one number run (digits joined by dashes and spaces): its
/// space-separated groups are read as a mobile number (3-4-4), a landline
/// (area code, then 7–8 digits in one or two groups) or an identity number
/// (6-8-4) where they fit; every other group is masked on its own.
fn mask_run(run: &[char], out: &mut String) {
    let groups: Vec<&[char]> = run.split(|c| *c == ' ').collect();
    let plain = |g: &[char]| g.iter().all(|c| is_digit(*c) || is_id_check(*c));
    let first_digit = |g: &[char]| g.first().and_then(|c| digit_value(*c));
    let mut j = 0;
    while j < groups.len() {
        if j > 0 {
            out.push(' ');
        }
        let lengths: Vec<usize> = groups[j..groups.len().min(j + 3)]
            .iter()
            .map(|g| if plain(g) { g.len() } else { 0 })
            .collect();
        let take = match lengths.as_slice() {
            [3, 4, 4, ..] if first_digit(groups[j]) == Some(1) => 3,
            [6, 8, 4, ..] => 3,
            [3 | 4, 3 | 4, 4, ..] if first_digit(groups[j]) == Some(0) => 3,
            [3 | 4, 7 | 8, ..] if first_digit(groups[j]) == Some(0) => 2,
            _ => 1,
        };
        if take == 1 {
            mask_group(groups[j], out);
        } else {
            let joined: Vec<char> = groups[j..j + take].concat();
            let shown: String = joined.iter().collect();
            let masked = mask_plain(&joined).unwrap_or(shown);
            // The area code of a landline stays readable, as in 0769-****5678.
            if first_digit(groups[j]) == Some(0) && joined.len() < 13 {
                let area: String = groups[j].iter().collect();
                let rest: Vec<char> = groups[j + 1..j + take].concat();
                out.push_str(&area);
                out.push(' ');
                out.push_str(&stars_but_last_four(&rest));
            } else {
                out.push_str(&masked);
            }
        }
        j += take;
    }
}

/// Masks one group without spaces (digits, maybe joined by dashes).
fn mask_group(group: &[char], out: &mut String) {
    let first_digit = |g: &[char]| g.first().and_then(|c| digit_value(*c));
    let digits: Vec<char> = group.iter().copied().filter(|c| is_digit(*c)).collect();
    // Mobile numbers, also written 138-1234-5678.
    if digits.len() == 11 && digit_value(digits[0]) == Some(1) {
        out.extend(&digits[..3]);
        out.push_str("****");
        out.extend(&digits[7..]);
        return;
    }
    let parts: Vec<&[char]> = group.split(|c| is_dash(*c)).collect();
    if parts.len() == 1 {
        match mask_plain(group) {
            Some(masked) => out.push_str(&masked),
            None => out.extend(group),
        }
        return;
    }
    // 0769-22334455 and 010-12345678-123: the area code, the last four
    // digits of the number and the extension stay.
    let is_landline = (2..=3).contains(&parts.len())
        && first_digit(parts[0]) == Some(0)
        && (3..=4).contains(&parts[0].len())
        && (7..=8).contains(&parts[1].len())
        && parts.get(2).is_none_or(|ext| (1..=6).contains(&ext.len()));
    for (k, part) in parts.iter().enumerate() {
        if k > 0 {
            out.push('-');
        }
        if is_landline && k == 1 {
            out.push_str(&stars_but_last_four(part));
        } else if is_landline {
            out.extend(*part);
        } else {
            // Dates (2026-10-03) stay; a long run inside is masked alone.
            match mask_plain(part) {
                Some(masked) => out.push_str(&masked),
                None => out.extend(*part),
            }
        }
    }
}

/// A run without separators: an 11-digit mobile number, or 7 or more
/// characters (phones, identity numbers) with all but the last four starred;
/// `None` when it is an ordinary number.
fn mask_plain(run: &[char]) -> Option<String> {
    if run.len() == 11 && digit_value(run[0]) == Some(1) && run.iter().all(|c| is_digit(*c)) {
        let mut masked: String = run[..3].iter().collect();
        masked.push_str("****");
        masked.extend(&run[7..]);
        return Some(masked);
    }
    (run.len() >= 7).then(|| stars_but_last_four(run))
}

fn stars_but_last_four(run: &[char]) -> String {
    let keep = run.len().min(4);
    let mut masked = "*".repeat(run.len() - keep);
    masked.extend(&run[run.len() - keep..]);
    masked
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
        // Two order numbers side by side are not one long number.
        assert_eq!(mask_personal("订单 12345 67890"), "订单 12345 67890");
        assert_eq!(
            mask_personal("2026-10-03 14:05 共 3 件"),
            "2026-10-03 14:05 共 3 件"
        );
    }

    #[test]
    fn spaced_full_width_extension_and_identity_forms_are_masked() {
        let cases = [
            ("电话 138 1234 5678 谢谢", "电话 138****5678 谢谢"),
            ("１３８１２３４５６７８", "１３８****５６７８"),
            ("１３８－１２３４－５６７８", "１３８****５６７８"),
            ("分机 010-12345678-123", "分机 010-****5678-123"),
            ("0769-2233445-8", "0769-***3445-8"),
            ("座机 0755 22334455", "座机 0755 ****4455"),
            ("座机 0755 2233 4455", "座机 0755 ****4455"),
            ("身份证 44030119900101123X。", "身份证 **************123X。"),
            ("身份证 44030119900101123x", "身份证 **************123x"),
            ("证件 440301 19900101 1234", "证件 **************1234"),
            ("证件 440301 19900101 123X", "证件 **************123X"),
            // A prefix glued with a dash does not hide the number.
            ("1-13812345678", "1-138****5678"),
            ("QQ邮箱 13812345678@qq.com", "QQ邮箱 1***@qq.com"),
        ];
        for (input, expected) in cases {
            assert_eq!(mask_personal(input), expected, "{input}");
        }
        // An X after a shorter run is a word, not a check digit.
        assert_eq!(mask_personal("型号 1234X"), "型号 1234X");
    }

    #[test]
    fn text_is_bounded_with_a_visible_marker() {
        let long = "很".repeat(40_000);
        let masked = mask_personal(&long);
        let marker = truncation_marker(40_000);
        assert_eq!(marker, "… [截断 truncated: 40000 characters]");
        assert!(masked.ends_with(&marker));
        assert_eq!(masked.chars().count(), MAX_CHARS);
        assert!(masked.trim_end_matches(&marker).chars().all(|c| c == '很'));
        assert_eq!(mask_personal("短"), "短");
        // Text the store already cut (32,000 characters and its marker)
        // passes whole.
        let stored = format!(
            "{}… [截断 truncated: 40000 characters]",
            "很".repeat(32_000)
        );
        assert_eq!(mask_personal(&stored), stored);
    }

    #[test]
    fn a_ten_megabyte_cell_of_at_signs_is_masked_in_one_pass() {
        // Quadratic masking took 4 s on 32 KiB of this and would not end on
        // 10 MB; the cap and the bounded scan back make it one pass.
        let cell = "a@".repeat(5 * 1024 * 1024);
        let masked = mask_personal(&cell);
        let marker = truncation_marker(cell.len());
        assert!(masked.ends_with(&marker));
        // Masking lengthens `a@` to `a***@`: the output is bounded too.
        assert_eq!(masked.chars().count(), MAX_CHARS);
        let kept = masked.trim_end_matches(&marker);
        // Every `a@a` pair reads as an address whose domain is the next
        // local part: the local parts are masked one after another.
        assert!(kept.starts_with("a***@a***@"), "{}", &kept[..40]);
        assert!(!kept.contains("a@a"));
        // The scan back never passes the previous match: over the
        // bounded input the scans add up to at most its length.
        let chars: Vec<char> = cell.chars().take(MAX_CHARS).collect();
        let found = email_local_parts(&chars);
        let scanned: usize = found.iter().map(|(start, at)| at - start).sum();
        assert_eq!(found.len(), MAX_CHARS / 2 - 1);
        assert!(scanned <= chars.len());
    }
}
