//! Report labels in English (`--lang en`): the workbook is written with its
//! Chinese labels, each passed through [`Lang::t`]. Data (department names,
//! categories, customers) stays as it was entered.

pub use crate::config::Lang;

impl Lang {
    /// The label in this language (Chinese labels without a translation
    /// stay Chinese).
    pub fn t<'a>(self, zh: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => LABELS
                .iter()
                .find(|(chinese, _)| *chinese == zh)
                .map_or(zh, |(_, english)| english),
        }
    }

    /// Chooses between a Chinese and an English text.
    pub fn pick(self, zh: String, en: String) -> String {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// Chinese label → English.
const LABELS: &[(&str, &str)] = &[
    ("80%参考线", "80% line"),
    ("NPS（净推荐值）", "NPS"),
    ("三大问题", "Top 3 problems"),
    ("上月", "Last month"),
    ("上月件数", "Last month"),
    ("上月关闭率", "Closure last month"),
    ("与目标差距（百分点）", "Gap to target (pts)"),
    ("严重等级", "Severity"),
    ("事项", "Items"),
    ("人数", "Respondents"),
    ("今天到期", "Due today"),
    ("付款条件", "Payment terms"),
    ("付款条件按", "Terms of grade"),
    ("件数", "Count"),
    ("份数 n", "n"),
    ("低分评价", "Low answer"),
    ("公司满意度", "Company satisfaction"),
    ("公司满意度趋势（13个月）", "Company satisfaction, 13 months"),
    ("公司目标", "Company target"),
    ("关键少数", "Vital few"),
    ("关键词", "Keyword"),
    ("关键词规则", "Keyword rule"),
    ("关闭但缺少原因分析或改善措施的事项", "Closed without root cause or action"),
    ("关闭率", "Closure rate"),
    ("内容", "Value"),
    ("分组", "Group"),
    ("分组得分", "Groups"),
    ("列", "Column"),
    ("剩余/超期（月末）", "Left/overdue (month end)"),
    ("加权件数", "Weighted"),
    ("区域", "Region"),
    ("占比", "Share"),
    ("去年同期", "Same month last year"),
    ("发放数未知", "Number sent unknown"),
    ("受理日期", "Received"),
    ("受访者得分分布（直方图）", "Respondents by score (histogram)"),
    ("各维度为 1–5 分的平均分；提出问题 = 接通且有备注（无、正常等不算）或有低分（≤2）的回访。", "Dimensions: average on 1–5; problems = reached calls with a remark (not 无, 正常 and the like) or an answer ≤ 2."),
    ("同比显著", "Significant (year)"),
    ("同比（百分点）", "vs last year (pts)"),
    ("否", "No"),
    ("回收率扣分", "Response-rate penalty"),
    ("回访反馈", "Callback remark"),
    ("回访类型", "Callback type"),
    ("完成期限", "Due"),
    ("客户分级", "Customer grades"),
    ("客户名称", "Customer"),
    ("客户编号", "Customer id"),
    ("导入日期", "Loaded"),
    ("尚未进行客户分级（csat regrade）", "No grading yet (csat regrade)"),
    ("工作表", "Sheet"),
    ("差距（百分点）", "Gap (pts)"),
    ("已关闭", "Closed"),
    ("已答复", "Answered"),
    ("待处理", "Open"),
    ("已导入", "Loaded"),
    ("已排除（状态无效/重复/撤销）", "Excluded (invalid/duplicate/withdrawn)"),
    ("已超期", "Overdue"),
    ("应为", "Expected"),
    ("归入类别", "Category"),
    ("得分区间", "Score"),
    ("总览", "Summary"),
    ("投诉", "Complaint"),
    ("投诉与提案", "Complaints & proposals"),
    ("拒收", "Refused"),
    ("按严重度加权（第二视图）", "By severity weight (second view)"),
    ("按时", "On time"),
    ("排名", "Rank"),
    ("接通", "Reached"),
    ("接通率", "Reach rate"),
    ("提出问题", "Problems"),
    ("提案", "Proposal"),
    ("数据来源", "Source"),
    ("数据行", "Rows"),
    ("数据质量", "Data quality"),
    ("文件", "File"),
    ("方式", "How"),
    ("无", "None"),
    ("无数据", "No data"),
    ("日期", "Date"),
    ("是", "Yes"),
    ("显著↑", "Significant ↑"),
    ("显著↓", "Significant ↓"),
    ("显著：变化超出抽样误差（Welch 双样本 z 检验，95%：|Δ| > 1.96·√(s₁²/n₁ + s₀²/n₀)，s² 为各答案占满分百分比的样本方差，n 为答案数）；份数低于最小样本时不判断。", "Significant: the change is outside sampling noise (Welch two-sample z-test, 95 %: |Δ| > 1.96·√(s₁²/n₁ + s₀²/n₀), s² the sample variance of the answers as % of their scale, n the answers); not judged under the minimum n."),
    ("月份", "Month"),
    ("有效答案数", "Answers"),
    ("服务客户数未知", "Customers served unknown"),
    ("未关闭", "Open"),
    ("未分类（已计入）", "Uncategorised (counted)"),
    ("未达标", "Missed"),
    ("未达标部门", "Departments below target"),
    ("本季/上季最多逾期", "Late payments (quarter)"),
    ("本月到期", "Due this month"),
    ("本月没有回访记录", "No callbacks this month"),
    ("本月没有收到行动计划追踪表", "No action plans returned"),
    ("本月没有数据文件", "No data files this month"),
    ("本月没有问题记录", "No problems this month"),
    ("本月计入", "Counted this month"),
    ("来源", "Origin"),
    ("样本不足", "n too small"),
    ("样本量检查", "Sample check"),
    ("每位受访者的得分 = 其各题得分之和 / 各题满分之和 × 100；等级：≥80 非常满意，70–80 满意，60–70 一般，<60 不满意。", "A respondent's score = sum of their answers / sum of the scale maxima × 100; bands: ≥ 80 very satisfied, 70–80 satisfied, 60–70 average, < 60 dissatisfied."),
    ("满意度", "Satisfaction"),
    ("满意度分布", "Distribution"),
    ("满意度等级", "Band"),
    ("满意度等级分布", "Bands"),
    ("状态", "Status"),
    ("环比变化", "Change"),
    ("环比显著", "Significant (month)"),
    ("环比（百分点）", "vs last month (pts)"),
    ("电话回访", "Phone callbacks"),
    ("目标", "Target"),
    ("等级", "Grade"),
    ("答复日期", "Answered"),
    ("答复期限", "Answer due"),
    ("类别", "Category"),
    ("类型", "Type"),
    ("累计占比", "Cumulative"),
    ("经销商", "Dealer"),
    ("维度", "Dimension"),
    ("编号", "Id"),
    ("行", "Row"),
    ("行动计划跟踪", "Action plans"),
    ("被更正版替代", "Superseded"),
    ("计划回访", "Planned"),
    ("记录自带原因", "From the record"),
    ("评价指标", "Indicator"),
    ("评定日期", "Graded on"),
    ("调查渠道", "Channel"),
    ("责任人", "Owner"),
    ("责任部门", "Department"),
    ("达标", "Met"),
    ("部门", "Department"),
    ("部门得分", "Departments"),
    ("部门柏拉图", "Department Pareto"),
    ("部门满意度与目标", "Departments against target"),
    ("问卷与回访份数", "Responses"),
    ("问卷回收率", "Response rate"),
    ("问题归类来源", "How problems were categorised"),
    ("问题柏拉图", "Pareto"),
    ("问题清单", "Problems"),
    ("问题数", "Problems"),
    ("超期", "Overdue"),
    ("最早完成期限（未关闭）", "Oldest open due date"),
    ("本表列出", "Listed here"),
    ("明细工作簿", "Detail workbook"),
    ("问题类别", "Category"),
    ("题目所属指标", "Question's indicator"),
    ("非常满意", "Very satisfied"),
    ("满意", "Satisfied"),
    ("一般", "Average"),
    ("不满意", "Dissatisfied"),
    ("全公司", "Company"),
    ("未指定部门", "No department"),
    ("新定级", "New"),
    ("关键驱动因素", "Key drivers"),
    ("客户原声", "Customer voice"),
    ("题目", "Question"),
    ("重要性（相关系数 r）", "Importance (r)"),
    ("配对样本 n", "Pairs n"),
    ("t 值", "t"),
    ("显著（95%）", "Significant (95 %)"),
    ("表现（得分率）", "Performance (score %)"),
    ("象限", "Quadrant"),
    ("重点改进", "Priority"),
    ("优势保持", "Strength"),
    ("次要改进", "Secondary"),
    ("过度投入", "Overinvested"),
    ("图表数据", "Chart data"),
    ("表现", "Performance"),
    ("重要性", "Importance"),
    ("表现中位数", "Median performance"),
    ("重要性中位数", "Median importance"),
    ("重点改进（关键驱动因素）", "Priorities (key drivers)"),
    ("重要性 r", "Importance r"),
    ("没有可作结果的题目（整体满意度或推荐意愿）：请在配置 [drivers] outcome 中指定", "No outcome question (overall satisfaction or recommend): set [drivers] outcome in the configuration"),
    ("没有同时回答结果题和其他评分题的受访者", "No respondent answered both the outcome and another scored question"),
    ("重要性 = 该题与结果题得分的皮尔逊相关系数 r（仅计两题都作答的受访者，n 为配对数；n 小于最小样本时不计算）；显著 = |t| 超过 t 分布双侧 5% 临界值（t = r·√((n−2)/(1−r²))，自由度 n−2）；表现 = 该题得分占满分百分比。象限以重要性与表现的中位数为分界：重点改进 = 重要性高、表现低；优势保持 = 两者皆高；次要改进 = 两者皆低；过度投入 = 重要性低、表现高。相关不等于因果；样本少时结论不稳。", "Importance = Pearson's r between the question's answers and the outcome's (respondents who answered both; n = pairs; none under the minimum n); significant = |t| above the two-sided 5 % critical value of Student's t (t = r·√((n−2)/(1−r²)), n−2 degrees of freedom); performance = the item score as % of its scale. Quadrants split at the medians of importance and performance: Priority = important, low score; Strength = both high; Secondary = both low; Overinvested = less important, high score. Correlation is not causation; small samples are unstable."),
    ("话题", "Topic"),
    ("条数", "Comments"),
    ("上月条数", "Last month"),
    ("本月新出现", "New this month"),
    ("示例 1", "Example 1"),
    ("示例 2", "Example 2"),
    ("本月没有客户原声", "No comments this month"),
    ("高频词（未覆盖）", "Frequent word (uncovered)"),
    ("新", "New"),
    ("候选关键词规则（未被规则覆盖的高频词，确认类别后加入 csat.toml）", "Candidate keyword rules (frequent words no rule covers: choose a category, then add them to csat.toml)"),
    ("配置示例", "Configuration"),
    ("（类别）", "(category)"),
    ("话题：关键词规则的类别（与问题柏拉图相同的规则），及未被规则覆盖的意见中的高频词（jieba 分词，去除停用词）；一条意见在一个话题中只计一次；示例中的电话与邮箱已遮蔽。", "Topics: the keyword rules' categories (the rules of the Pareto), then the frequent words of comments no rule covers (jieba segmentation, stop words removed); a comment counts once per topic; phone numbers and e-mail addresses in the examples are masked."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_translate_and_data_stays() {
        assert_eq!(Lang::En.t("部门得分"), "Departments");
        assert_eq!(Lang::Zh.t("部门得分"), "部门得分");
        assert_eq!(Lang::En.t("售后服务部"), "售后服务部");
        let mut seen = std::collections::BTreeSet::new();
        for (zh, _) in LABELS {
            assert!(seen.insert(*zh), "{zh} twice");
        }
    }

    /// The labels the report passes through [`Lang::t`], read from the
    /// source of `src/report/` (tests left out): the literal of every
    /// `t("…")`, the value of every constant passed as `t(CONST)`, and every
    /// header table `const …: [(&str, f64); N]`.
    fn labels_in_source() -> Vec<String> {
        let mut texts = Vec::new();
        let mut pending = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/report"
        ))];
        while let Some(path) = pending.pop() {
            if path.is_dir() {
                pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("labels.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
                texts.push(code);
            }
        }
        let mut labels = Vec::new();
        let mut constants = Vec::new();
        for code in &texts {
            for (index, _) in code.match_indices(".t(") {
                let argument = code[index + 3..].trim_start();
                if argument.starts_with('"') {
                    labels.push(string_literal(argument));
                } else {
                    let name: String = argument
                        .chars()
                        .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        constants.push(name);
                    }
                }
            }
        }
        for code in &texts {
            for (index, _) in code.match_indices("const ") {
                let rest = &code[index + 6..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let definition = &rest[..rest.find(";\n").unwrap_or(rest.len())];
                let header_table = definition.contains("[(&str, f64);");
                if header_table || constants.contains(&name) {
                    let mut values = definition;
                    while let Some(start) = values.find('"') {
                        let literal = string_literal(&values[start..]);
                        values = &values[start + literal.len() + 2..];
                        labels.push(literal);
                    }
                }
            }
        }
        labels
    }

    /// The text of the string literal `text` starts with (no escapes in labels).
    fn string_literal(text: &str) -> String {
        text[1..].split('"').next().unwrap_or("").to_string()
    }

    #[test]
    fn every_label_used_with_lang_en_has_an_english_entry() {
        use crate::analysis::closed_loop::ItemState;
        use crate::analysis::drivers::Quadrant;
        use crate::analysis::Band;
        let found = labels_in_source();
        // Sheet names, headers and notes are found in the source; check that
        // the scan sees them.
        for expected in ["总览", "问卷回收率", "80%参考线", "重要性 r", "话题"] {
            assert!(found.iter().any(|l| l == expected), "{expected} not found");
        }
        let enums = [
            Band::VerySatisfied.label(),
            Band::Satisfied.label(),
            Band::Average.label(),
            Band::Dissatisfied.label(),
            ItemState::Open.label(),
            ItemState::Responded.label(),
            ItemState::Closed.label(),
            Quadrant::Focus.label(),
            Quadrant::Strength.label(),
            Quadrant::Secondary.label(),
            Quadrant::Overinvested.label(),
            // Pareto scope names from the analysis (部门柏拉图).
            "全公司",
            "未指定部门",
        ];
        let missing: Vec<&str> = found
            .iter()
            .map(String::as_str)
            .chain(enums)
            .filter(|label| Lang::En.t(label) == *label)
            .collect();
        assert!(
            missing.is_empty(),
            "labels shown with --lang en but without an English entry in LABELS: {missing:?}"
        );
    }
}
