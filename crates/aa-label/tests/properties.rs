//! Property tests: printing and parsing are inverse, and reduction is a set
//! union (idempotent, commutative and associative as sets, no duplicates).

use aa_label::{Label, ProfileName, Target};
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    prop::collection::vec("/?[a-z._-][a-z0-9._*-]{0,6}", 1..3).prop_map(|parts| parts.join("//"))
}

fn profile() -> impl Strategy<Value = ProfileName> {
    (prop::option::of(prop::collection::vec("[a-z][a-z0-9]{0,4}", 1..3)), name())
        .prop_map(|(ns, name)| ProfileName { namespace: ns.map(|v| v.join("//")), name })
}

fn label() -> impl Strategy<Value = Label> {
    prop::collection::vec(profile(), 1..5).prop_map(|v| Label::from_layers(v).unwrap())
}

proptest! {
    #[test]
    fn print_parse_round_trip(l in label()) {
        let text = l.to_string();
        let back = Label::parse(&text).unwrap();
        prop_assert_eq!(back.layers(), l.layers());
        prop_assert_eq!(back.to_string(), text);
    }

    #[test]
    fn canonical_round_trip(l in label()) {
        let back = Label::parse(&l.canonical_text()).unwrap();
        prop_assert_eq!(&back, &l);
        prop_assert_eq!(back.canonical_text(), l.canonical_text());
    }

    #[test]
    fn target_round_trip(l in label(), stack in any::<bool>()) {
        let t = Target { stack, label: l };
        prop_assert_eq!(Target::parse(&t.to_string()).unwrap(), t);
    }

    #[test]
    fn merge_is_a_set_union(a in label(), b in label(), c in label()) {
        prop_assert_eq!(a.merge(&a), a.clone());
        prop_assert_eq!(a.merge(&b), b.merge(&a));
        prop_assert_eq!(a.merge(&b).merge(&c), a.merge(&b.merge(&c)));
        let m = a.merge(&b);
        for p in a.layers().iter().chain(b.layers()) {
            prop_assert!(m.contains(p));
        }
        let mut seen = m.layers().to_vec();
        seen.sort();
        seen.dedup();
        prop_assert_eq!(seen.len(), m.len());
        // The first label's layers keep their place.
        prop_assert_eq!(&m.layers()[..a.len()], a.layers());
    }

    #[test]
    fn stacking_applies_a_union(a in label(), b in label()) {
        prop_assert_eq!(Target { stack: true, label: b.clone() }.apply(&a), a.merge(&b));
        prop_assert_eq!(Target { stack: false, label: b.clone() }.apply(&a), b);
    }

    #[test]
    fn parse_never_panics(s in "\\PC{0,40}") {
        let _ = Label::parse(&s);
        let _ = Target::parse(&s);
    }

    #[test]
    fn view_keeps_the_deepest_namespace(l in label()) {
        let v = l.view();
        prop_assert!(v.len() <= l.len());
        prop_assert!(!v.is_empty());
    }
}
