//! Leaderboard rules: weighted scores and standard competition ranking ("1224").

use std::collections::BTreeMap;

/// Points for per-kind totals: Σ weight × total, summed in kind-code order so equal totals
/// always give bit-identical scores (ties stay ties).
pub fn score(totals: &BTreeMap<String, i64>, weight: impl Fn(&str) -> f64) -> f64 {
    round_points(totals.iter().map(|(k, t)| weight(k) * *t as f64).sum())
}

/// A score as shown: points rounded to two decimals.
pub fn round_points(s: f64) -> f64 {
    // Rounding here keeps float noise out of ties; `+ 0.0` turns the empty sum's -0.0
    // into 0 so nothing shows "-0".
    (s * 100.0).round() / 100.0 + 0.0
}

/// Standard competition ranks for `values`, highest first: equal values share a rank and
/// the next rank skips (1, 2, 2, 4). A value of zero or less is unranked (None): a unit
/// with no activity is listed but not placed.
pub fn competition_ranks(values: &[f64]) -> Vec<Option<u32>> {
    let mut order: Vec<usize> = (0..values.len()).filter(|&i| values[i] > 0.0).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let mut ranks = vec![None; values.len()];
    let mut rank = 0u32;
    for (pos, &i) in order.iter().enumerate() {
        if pos == 0 || values[i] != values[order[pos - 1]] {
            rank = pos as u32 + 1;
        }
        ranks[i] = Some(rank);
    }
    ranks
}

/// How many places a unit rose (positive) or fell (negative); None if unranked in either.
pub fn rank_change(previous: Option<u32>, current: Option<u32>) -> Option<i64> {
    Some(i64::from(previous?) - i64::from(current?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ties_share_a_rank_and_the_next_rank_skips() {
        let r = competition_ranks(&[5.0, 9.0, 5.0, 1.0, 0.0]);
        assert_eq!(r, [Some(2), Some(1), Some(2), Some(4), None]);
        assert_eq!(competition_ranks(&[3.0, 3.0, 3.0]), [Some(1); 3]);
        assert_eq!(competition_ranks(&[0.0, 0.0]), [None, None]);
        assert!(competition_ranks(&[]).is_empty());
    }

    #[test]
    fn rank_change_is_places_gained() {
        assert_eq!(rank_change(Some(5), Some(2)), Some(3));
        assert_eq!(rank_change(Some(1), Some(4)), Some(-3));
        assert_eq!(rank_change(None, Some(1)), None);
        assert_eq!(rank_change(Some(1), None), None);
    }

    #[test]
    fn scores_weight_each_kind() {
        let totals = BTreeMap::from([("a".to_owned(), 3), ("b".to_owned(), 2)]);
        let s = score(&totals, |k| if k == "a" { 3.0 } else { 0.5 });
        assert_eq!(s, 10.0);
    }

    #[test]
    fn an_empty_score_is_positive_zero() {
        let s = score(&BTreeMap::new(), |_| 1.0);
        assert!(s == 0.0 && s.is_sign_positive(), "{s}");
    }

    proptest! {
        #[test]
        fn a_rank_is_one_plus_the_number_of_strictly_better_values(
            values in prop::collection::vec(0u8..6, 0..30)
        ) {
            let v: Vec<f64> = values.iter().map(|&x| f64::from(x)).collect();
            let ranks = competition_ranks(&v);
            for (i, r) in ranks.iter().enumerate() {
                let better = v.iter().filter(|&&o| o > v[i]).count() as u32;
                prop_assert_eq!(*r, (v[i] > 0.0).then_some(better + 1));
            }
        }
    }
}
