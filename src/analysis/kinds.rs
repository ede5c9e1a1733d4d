//! Kinds the analyses return as text from SQL, parsed once where the rows
//! are read (`row.parse("dimension")?`): unknown text is an error naming the
//! query and column, never a silent fallback.

use serde::Serialize;

/// Declares a text-valued kind: its variants, their SQL text (also their
/// serialized form), `as_str`, `Display` and `FromStr`.
macro_rules! text_kind {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)*
        }

        impl $name {
            /// The text SQL returns for it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<$name, String> {
                match text {
                    $($text => Ok($name::$variant),)*
                    other => Err(format!(
                        "'{other}' is not a known {}",
                        stringify!($name)
                    )),
                }
            }
        }
    };
}

text_kind! {
    /// What a group score groups by (`group_scores` view, V6/V13).
    GroupKind {
        /// The whole company.
        Company = "company",
        /// An indicator (评价指标).
        Indicator = "indicator",
        /// A responsible department.
        Department = "department",
        /// A survey channel (questionnaire, visit, callback:<type>).
        Channel = "channel",
        /// A dealer named in the responses.
        Dealer = "dealer",
        /// A customer region.
        Region = "region",
    }
}

text_kind! {
    /// How a Pareto ranking counts problems (SPEC "Pareto").
    ParetoView {
        /// By number of problems.
        Count = "count",
        /// By severity-weighted count.
        Weighted = "weighted",
    }
}

text_kind! {
    /// Where a problem of the month comes from (view `problems`, V13).
    ProblemOrigin {
        /// A complaint record.
        Complaint = "complaint",
        /// A low answer in a survey.
        Answer = "answer",
        /// A reached callback with a remark.
        Callback = "callback",
    }
}

text_kind! {
    /// A tracked item of the closed loop (`lifecycle_items.sql`).
    ItemKind {
        /// A complaint (answer deadline by severity).
        Complaint = "complaint",
        /// A proposal (processing deadline).
        Proposal = "proposal",
    }
}

text_kind! {
    /// How the month's problems were categorised (`problem_sources.sql`).
    CategorisedBy {
        /// By a keyword rule.
        Keyword = "keyword",
        /// By the record's own category.
        Record = "record",
        /// By the question's category.
        Question = "question",
        /// Not categorised (未分类).
        None = "none",
        /// Excluded complaints (counted, not ranked).
        Excluded = "excluded",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_their_sql_text_and_refuse_others() {
        assert_eq!("weighted".parse::<ParetoView>(), Ok(ParetoView::Weighted));
        assert_eq!(GroupKind::Region.to_string(), "region");
        assert!("Company".parse::<GroupKind>().is_err());
        assert_eq!(
            serde_json::to_string(&ProblemOrigin::Answer).unwrap(),
            "\"answer\""
        );
    }
}
