//! The word lists the rules use (crate README, "Rules"): markers, plan and
//! sign-off words, verdicts, time words, change words, table headers. Kept in
//! one place so that the README and the code can be compared line by line.

/// Marks a line or item as done when it leads it.
pub const DONE_MARKS: &[&str] = &["✅", "✔️", "✔", "☑️", "☑", "🗹", "[x]", "[X]"];
/// Marks a line or item as pending when it leads it: its figures are to-dos.
pub const PENDING_MARKS: &[&str] = &["⚠️", "⚠", "⏳", "⌛", "🔲", "[ ]"];
/// Words that, leading a labelled value, say the thing is done.
pub const DONE_WORDS: &[&str] = &[
    "已完成",
    "全面完成",
    "完成",
    "done",
    "completed",
    "complete",
    "finished",
];

/// A heading or lead-in holding one of these announces a plan, a suggestion,
/// a procedure or pending work: nothing under it is a claim. (English ones
/// are matched as whole words, case-insensitively.)
pub const PLAN_WORDS_ZH: &[&str] = &[
    "计划",
    "规划",
    "建议",
    "待完成",
    "待办",
    "待生成",
    "后续",
    "展望",
    "流程",
    "指南",
    "手册",
    "窗口",
    "触发",
];
pub const PLAN_WORDS_EN: &[&str] = &[
    "plan",
    "plans",
    "planned",
    "planning",
    "next step",
    "next steps",
    "todo",
    "to-do",
    "to do",
    "roadmap",
    "recommend",
    "recommended",
    "recommendation",
    "recommendations",
    "procedure",
    "procedures",
    "runbook",
    "playbook",
    "guide",
    "future work",
    "follow-up",
    "follow-ups",
];

/// A label holding one of these gives an estimate or a target, not a result.
pub const ESTIMATE_WORDS_ZH: &[&str] = &["预计", "预估", "估计", "预期", "计划", "目标", "建议"];
pub const ESTIMATE_WORDS_EN: &[&str] = &[
    "expected",
    "estimated",
    "estimate",
    "planned",
    "plan",
    "target",
    "goal",
];

/// A heading holding one of these opens a sign-off section.
pub const SIGNOFF_WORDS_ZH: &[&str] = &["验收", "确认", "签字", "签署", "签核", "审批", "批准"];
pub const SIGNOFF_WORDS_EN: &[&str] = &[
    "sign-off",
    "signoff",
    "sign off",
    "sign-offs",
    "approval",
    "approvals",
    "acceptance",
    "signatures",
];
/// A labelled value starting with one of these is a verdict (in a sign-off section).
pub const VERDICTS: &[&str] = &[
    "APPROVED",
    "APPROVE",
    "ACCEPTED",
    "LGTM",
    "SIGNED OFF",
    "SIGNED",
    "验收通过",
    "已批准",
    "已签字",
    "已签署",
    "已确认",
    "通过",
    "批准",
    "同意",
    "确认",
    "签字",
];
/// Labels naming who signed (in a sign-off section).
pub const WHO_LABELS: &[&str] = &[
    "验收人",
    "签字人",
    "签署人",
    "审批人",
    "批准人",
    "审核人",
    "approved by",
    "signed by",
    "signed off by",
    "approver",
    "reviewed by",
];
/// Stripped from the end of a sign-off label to leave the role.
pub const ROLE_SUFFIXES: &[&str] = &[
    "验收", "签字", "签署", "确认", "审批", "sign-off", "signoff", "approval",
];

/// A duration is a claim when its subject holds one of these (rule 6).
pub const TIME_WORDS_ZH: &[&str] = &[
    "延迟", "时延", "响应", "耗时", "用时", "工期", "周期", "时长", "时间", "历时",
];
pub const TIME_WORDS_EN: &[&str] = &[
    "latency",
    "response time",
    "duration",
    "elapsed",
    "took",
    "time",
    "delivered in",
    "completed in",
    "done in",
    "finished in",
];
/// … or when one of these follows it (`18天完成`, `18 天内成功交付`).
pub const COMPLETION_WORDS: &[&str] = &["完成", "交付", "完工", "上线", "成功交付"];

/// Words of a change ("from A to B"): the figure before them is not claimed,
/// and they are dropped from subjects.
pub const CHANGE_WORDS: &[&str] = &[
    "→",
    "->",
    "=>",
    "⇒",
    "➡",
    "提升到",
    "提升至",
    "提高到",
    "提高至",
    "增加到",
    "增至",
    "降低到",
    "降低至",
    "降到",
    "降至",
    "减少到",
    "减至",
    "调整为",
    "调整到",
    "变为",
];
/// Dropped from the edges of the words around a change ("从5.0提升到…");
/// English "from … to" is dropped as edge words.
pub const FROM_WORDS: &[&str] = &["从", "由", "到", "至"];

/// Negations that make a following counted phrase the count 0 (rule 7).
pub const NEGATIONS_ZH: &[&str] = &["没有", "无", "零"];
pub const NEGATIONS_EN: &[&str] = &["no", "zero"];

/// Particles trimmed from the edges of the words around a figure.
pub const LEADING_PARTICLES: &[&str] = &["的", "了", "之"];
pub const TRAILING_PARTICLES: &[&str] = &["达到", "在", "的", "了", "中", "为", "是", "达", "共"];
pub const EN_EDGE_WORDS: &[&str] = &[
    "of", "at", "is", "was", "were", "are", "to", "by", "with", "in", "for", "the", "a", "an",
    "and",
];

/// Table headers: the column of targets.
pub const TARGET_HEADERS: &[&str] = &[
    "目标",
    "计划",
    "预期",
    "基线",
    "阈值",
    "target",
    "goal",
    "plan",
    "expected",
    "threshold",
    "slo",
    "baseline",
];
/// Table headers: the column of actual values.
pub const ACTUAL_HEADERS: &[&str] = &[
    "实际", "当前", "结果", "实测", "actual", "current", "result", "measured", "achieved",
];
/// Table headers: the task column of a task table.
pub const TASK_HEADERS: &[&str] = &[
    "任务",
    "事项",
    "交付物",
    "工作项",
    "task",
    "deliverable",
    "work item",
    "item",
];
/// Table headers: the column naming a task (preferred over an id column).
pub const NAME_HEADERS: &[&str] = &[
    "描述",
    "名称",
    "内容",
    "description",
    "name",
    "title",
    "summary",
];
/// Table headers: an id column (not a name).
pub const ID_HEADERS: &[&str] = &["编号", "序号", "id", "#", "no.", "key"];
/// Table headers: the status column of a task table.
pub const STATUS_HEADERS: &[&str] = &["状态", "完成情况", "status", "state"];
/// Table headers: the time a task was done.
pub const DONE_AT_HEADERS: &[&str] = &[
    "完成时间",
    "完成日期",
    "时间",
    "日期",
    "done",
    "completed",
    "finished",
    "date",
    "time",
];
/// A status cell holding one of these is not done, whatever else it holds.
pub const NOT_DONE_WORDS: &[&str] = &[
    "未完成",
    "进行中",
    "未开始",
    "待",
    "not done",
    "in progress",
    "pending",
    "todo",
    "blocked",
    "❌",
    "⚠",
];
/// A status cell holding one of these is done.
pub const DONE_STATUS: &[&str] = &[
    "✅",
    "✔",
    "☑",
    "完成",
    "done",
    "completed",
    "complete",
    "finished",
    "[x]",
];

/// True when `haystack` (any case) holds one of the English `words` as a
/// whole word or phrase.
pub fn has_en_word(haystack_lower: &str, words: &[&str]) -> bool {
    words.iter().any(|w| {
        let mut from = 0;
        while let Some(i) = haystack_lower[from..].find(w) {
            let s = from + i;
            let e = s + w.len();
            let before = haystack_lower[..s].chars().next_back();
            let after = haystack_lower[e..].chars().next();
            let edge = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric());
            if edge(before) && edge(after) {
                return true;
            }
            from = e;
        }
        false
    })
}

/// True when `text` holds one of the Chinese `zh` words or the English `en` ones.
pub fn has_word(text: &str, zh: &[&str], en: &[&str]) -> bool {
    if zh.iter().any(|w| text.contains(w)) {
        return true;
    }
    has_en_word(&text.to_lowercase(), en)
}
