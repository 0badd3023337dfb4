//! The milestone namespace's words as the pages use them: the English
//! exactly as the pages had it, the Chinese in Chinese order.

use crate::i18n::Locale;
use crate::tl;

/// The browser specs and server tests match the English words, spaces
/// included: the translation files keep them as the page had them.
#[test]
fn the_english_words_keep_their_spaces() {
    let english = Locale::en;
    assert_eq!(tl!(english, milestone.subject.ships), "Ships ");
    assert_eq!(tl!(english, milestone.dates.actual), " · Actual ");
    assert_eq!(
        tl!(english, milestone.certificate.issued_by, who = "pm"),
        " issued by pm"
    );
    assert_eq!(
        tl!(
            english,
            milestone.history.newest_of,
            shown = 100,
            total = 250
        ),
        "The newest 100 of 250 events. "
    );
    assert_eq!(
        tl!(
            english,
            milestone.signoffs.history_entry,
            at = "t",
            user = "qa",
            decision = "approve",
            role = "QA lead",
            stale = " (stale)",
            digest = "ab12"
        ),
        "t · qa approve as QA lead (stale) · digest ab12"
    );
    assert_eq!(
        tl!(english, milestone.tasks.evidence_files, n = 1),
        "1 file(s)"
    );
}

#[test]
fn the_chinese_words_put_names_where_chinese_puts_them() {
    let chinese = Locale::zh_Hans;
    assert_eq!(
        tl!(
            chinese,
            milestone.evidence.withdraw_reason,
            name = "junit.xml"
        ),
        "撤回 junit.xml 的原因"
    );
    assert_eq!(
        tl!(chinese, milestone.signoffs.approve_as, role = "QA 负责人"),
        "以 QA 负责人 身份批准"
    );
    assert_eq!(
        tl!(chinese, milestone.tasks.evidence_files, n = 3),
        "3 个文件"
    );
}
