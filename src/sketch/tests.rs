//! Tests of the sketch: bounds, point masses, merges, the saved form.
use super::*;
use crate::stats::quantile;

#[test]
fn quantiles_are_within_a_fine_bucket_and_exact_at_point_masses() {
    // A continuous spread plus a point mass and zeros.
    let mut values: Vec<f64> = (0..100_000)
        .map(|i| 50.0 + (i as f64 * 0.618).sin() * 40.0)
        .collect();
    values.extend(std::iter::repeat_n(123.456, 20_000));
    values.extend(std::iter::repeat_n(0.0, 10_000));
    let mut s = Sketch::new(100.0);
    values.iter().for_each(|v| s.push(*v));
    let bound = 2f64.powi(-(FINE_BITS as i32));
    for q in [0.0, 0.01, 0.05, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0] {
        let exact = quantile(&values, q);
        let est = s.quantile(q);
        assert!(
            (est - exact).abs() <= bound * exact.abs(),
            "q {q}: {est} vs {exact}"
        );
    }
    // Zeros, the point mass, and the extremes are exact.
    assert_eq!(s.quantile(0.0), 0.0);
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    let first_mass = sorted.iter().position(|&v| v == 123.456).unwrap();
    assert_eq!(s.at_rank(first_mass as u64 + 5), 123.456);
    assert_eq!(s.quantile(1.0), sorted[sorted.len() - 1]);
}

#[test]
fn point_masses_at_either_end_of_a_bucket_are_exact_after_any_merge() {
    // Full supply 100 (a point mass) with values just below it in the
    // same fine bucket, and a point mass at 50 with values just above.
    let mut parts: Vec<Vec<f64>> = vec![Vec::new(); 3];
    for i in 0..3000 {
        let v = match i % 5 {
            0 | 1 => 100.0,
            2 => 100.0 - 1e-6 * (i as f64 + 1.0) / 3000.0,
            3 => 50.0,
            _ => 50.0 + 1e-6 * (i as f64 + 1.0) / 3000.0,
        };
        parts[i % 3].push(v);
    }
    let mut s = Sketch::new(100.0);
    for p in &parts {
        let mut t = Sketch::new(100.0);
        t.push_all(p);
        s.merge(t);
    }
    let mut all: Vec<f64> = parts.concat();
    all.sort_by(f64::total_cmp);
    for q in [0.05, 0.1, 0.15, 0.7, 0.9, 0.99] {
        let exact = quantile(&all, q);
        assert!(exact == 100.0 || exact == 50.0, "q {q}: {exact}");
        assert_eq!(s.quantile(q), exact, "q {q}");
    }
}

#[test]
fn small_samples_are_exact() {
    // Few values: almost every bucket holds one, so every rank is exact.
    let values: Vec<f64> = (1..=500).map(|i| (i as f64).sqrt() * 3.7).collect();
    let mut s = Sketch::new(50.0);
    values.iter().for_each(|v| s.push(*v));
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    for (r, v) in sorted.iter().enumerate() {
        assert_eq!(s.at_rank(r as u64), *v);
    }
    for q in [0.05, 0.5, 0.95, 0.99] {
        assert_eq!(s.quantile(q), quantile(&values, q));
    }
}

#[test]
fn merging_in_any_order_or_grouping_gives_the_same_sketch() {
    let parts: Vec<Vec<f64>> = (0..5)
        .map(|p| (0..1000).map(|i| ((p * 1000 + i) as f64).sqrt()).collect())
        .collect();
    let sketch_of = |p: usize| {
        let mut s = Sketch::new(30.0);
        parts[p].iter().for_each(|v| s.push(*v));
        s
    };
    let sketch = |order: &[usize]| {
        let mut total = Sketch::new(30.0);
        for &p in order {
            total.merge(sketch_of(p));
        }
        total
    };
    let a = sketch(&[0, 1, 2, 3, 4]);
    assert_eq!(a, sketch(&[4, 2, 0, 3, 1]));
    // (0 + 1) + (2 + 3 + 4) grouped differently.
    let mut left = sketch(&[0, 1]);
    left.merge(sketch(&[2, 3, 4]));
    assert_eq!(a, left);
}

#[test]
fn upper_mean_and_exceedance() {
    let mut s = Sketch::new(10.0);
    for v in [1.0, 2.0, 3.0, 4.0, 0.0] {
        s.push(v);
    }
    // Largest two: 4 and 3 (single-valued buckets: exact).
    assert_eq!(s.upper_mean(2), 3.5);
    let ex = s.exceedance();
    assert_eq!(ex.first(), Some(&(0.0, 0.8)));
    assert_eq!(ex.last(), Some(&(4.0, 0.0)));
    // Values far outside the scale still land somewhere sensible.
    let mut t = Sketch::new(1.0);
    t.push(1e30);
    t.push(1e-30);
    assert_eq!(t.quantile(1.0), 1e30);
    assert_eq!(t.quantile(0.0), 1e-30);
}

#[test]
fn values_far_above_the_scale_keep_the_bound_and_merge() {
    // Values 2^10 to 2^40 times the scale (a cost at a high price cap,
    // a demand far out in a wide tail), split over two sketches of
    // which one never sees them; and infinity, counted apart.
    let values: Vec<f64> = (0..20_000)
        .map(|i| 1e3 * (1.0 + (i as f64 * 0.37).sin().abs() * 1e9))
        .collect();
    let mut big = Sketch::new(1.0);
    values.iter().for_each(|&v| big.push(v));
    let mut small = Sketch::new(1.0);
    small.push(0.5);
    small.push(f64::INFINITY);
    // Merged both ways, and restored from its saved form.
    let mut a = small.clone();
    a.merge(big.clone());
    let mut b = big;
    b.merge(small);
    assert_eq!(a, b);
    let back: Sketch = postcard::from_bytes(&postcard::to_stdvec(&a).unwrap()).unwrap();
    assert_eq!(back, a);
    let mut all = values.clone();
    all.extend([0.5, f64::INFINITY]);
    let bound = 2f64.powi(-(FINE_BITS as i32));
    for q in [0.0, 0.05, 0.5, 0.95, 0.99] {
        let exact = quantile(&all, q);
        let est = a.quantile(q);
        assert!(
            (est - exact).abs() <= bound * exact,
            "q {q}: {est} vs {exact}"
        );
    }
    assert_eq!(a.at_rank(all.len() as u64 - 1), f64::INFINITY);
    assert_eq!(a.at_rank(0), 0.5);
}

#[test]
fn serialises_and_restores_exactly_and_refuses_inconsistent_data() {
    let mut s = Sketch::new(10.0);
    for i in 0..3000 {
        s.push((i as f64 * 0.37).cos().abs() * 20.0);
    }
    s.push(1e-20);
    s.push(1e9);
    // A bucket's lowest and highest possible values (saved as their
    // low bits: all zero, all one), and a point mass.
    let top = f64::from_bits(8f64.to_bits() + (1 << (52 - FINE_BITS)) - 1);
    for x in [8.0, top, 8.0, 3.5, 3.5] {
        s.push(x);
    }
    let bytes = postcard::to_stdvec(&s).unwrap();
    let back: Sketch = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(back, s);
    // A count that does not add up is refused.
    let mut t = s.clone();
    t.n += 1;
    let bytes = postcard::to_stdvec(&t).unwrap();
    assert!(postcard::from_bytes::<Sketch>(&bytes).is_err());
    // So are an underflow bucket reaching into the pages or to
    // infinity, and an overflow bucket of finite values.
    let crafted = |under: Bucket, over: Bucket| {
        let mut t = s.clone();
        t.n += under.count + over.count - t.under.count - t.over.count;
        (t.under, t.over) = (under, over);
        postcard::from_bytes::<Sketch>(&postcard::to_stdvec(&t).unwrap())
    };
    let one = |lo: f64, hi: f64| Bucket {
        count: 2,
        lo,
        hi,
        at_lo: 1,
        at_hi: 1,
    };
    let inf = f64::INFINITY;
    let (under, over) = (s.under, s.over);
    assert!(crafted(one(1e-20, inf), over).is_err());
    assert!(crafted(one(1e-20, 1.0), over).is_err());
    assert!(crafted(under, one(1e9, 2e9)).is_err());
    assert!(
        crafted(under, one(inf, inf)).is_err(),
        "counts of a point mass"
    );
    let infinities = Bucket {
        count: 2,
        lo: inf,
        hi: inf,
        at_lo: 2,
        at_hi: 2,
    };
    assert!(crafted(under, infinities).is_ok());
}

#[test]
fn atoms_are_exact_inside_a_bucket_and_merge_and_save_like_the_rest() {
    // 254.01 with values just below and above it in its bucket (of
    // 254 to 254.03125), and 100 at the low end of its own.
    let values: Vec<f64> = (0..30_000)
        .map(|i| match i % 20 {
            0..=13 => 254.01,
            14 => 254.01 - 2e-4 * (1.0 + (i % 49) as f64),
            15 => 254.01 + 2e-4 * (1.0 + (i % 40) as f64),
            _ => 100.0 + (i as f64 * 0.37).sin().abs(),
        })
        .collect();
    let atoms = [254.01, 100.0, -1.0, f64::NAN];
    let with = || Sketch::new(300.0).with_atoms(&atoms);
    assert_eq!(with().atom_values(), vec![100.0, 254.01]);
    let mut one = with();
    values.iter().for_each(|&v| one.push(v));
    // Batched, and merged from parts in two orders: the same sketch.
    let (mut batched, mut batch, mut g) = (with(), Batch::default(), Grouping::default());
    batch.extend(&values);
    batch.flush(&mut batched, &mut g);
    assert_eq!(batched, one);
    let parts: Vec<Sketch> = values
        .chunks(7_000)
        .map(|c| {
            let mut s = with();
            s.push_all(c);
            s
        })
        .collect();
    let merged = |order: &mut dyn Iterator<Item = &Sketch>| {
        let mut total = with();
        order.for_each(|p| total.merge(p.clone()));
        total
    };
    assert_eq!(merged(&mut parts.iter()), one);
    assert_eq!(merged(&mut parts.iter().rev()), one);
    let back: Sketch = postcard::from_bytes(&postcard::to_stdvec(&one).unwrap()).unwrap();
    assert_eq!(back, one);
    // Every rank within its bucket; those on 254.01 exact, but near the
    // ends of its run of ranks, where the bucket's other values (3,000)
    // are shared out below and above it by distance; without atoms the
    // median is not exact.
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    let first = sorted.iter().position(|&v| v == 254.01).unwrap();
    let last = sorted.iter().rposition(|&v| v == 254.01).unwrap();
    let others = 3_000;
    let bound = 2f64.powi(-(FINE_BITS as i32));
    for (r, &exact) in sorted.iter().enumerate().step_by(97) {
        let est = one.at_rank(r as u64);
        assert!(
            (est - exact).abs() <= bound * exact,
            "rank {r}: {est} vs {exact}"
        );
        if r >= first + others && r + others <= last {
            assert_eq!(est, 254.01, "rank {r}");
        }
    }
    assert_eq!(one.quantile(0.5), quantile(&values, 0.5));
    let mut plain = Sketch::new(300.0);
    values.iter().for_each(|&v| plain.push(v));
    assert_ne!(plain.quantile(0.5), 254.01);
    assert!((one.upper_mean(100) - plain.upper_mean(100)).abs() <= bound * 300.0);
    // Sketches with other atoms do not merge; saved atoms out of order
    // are refused.
    assert!(!one.same_scale(&Sketch::new(300.0)));
    let mut t = one.clone();
    t.atoms.reverse();
    assert!(postcard::from_bytes::<Sketch>(&postcard::to_stdvec(&t).unwrap()).is_err());
}

#[test]
fn exceedance_past_an_atom_inside_a_bucket_counts_the_atom_once() {
    // 100 values over 254 to 254.06 and 100 copies of the atom 254.02:
    // P(X > 254.02) is about a third, and no x appears twice.
    let mut s = Sketch::new(300.0).with_atoms(&[254.02]);
    for i in 0..100 {
        s.push(254.0 + 0.0006 * f64::from(i));
        s.push(254.02);
    }
    let points = s.exceedance();
    assert!(points.windows(2).all(|w| w[0].0 < w[1].0), "{points:?}");
    let at = points
        .iter()
        .find(|p| p.0 == 254.02)
        .expect("a point at the atom");
    let exact = (0..100)
        .filter(|&i| 254.0 + 0.0006 * f64::from(i) > 254.02)
        .count() as f64
        / 200.0;
    assert!((at.1 - exact).abs() <= 0.05, "{at:?} against {exact}");
    // The same on the negative side of a signed sketch.
    let mut signed = SignedSketch::new(300.0).with_atoms(&[], &[254.02]);
    let values: Vec<f64> = (0..100)
        .flat_map(|i| [-(254.0 + 0.0006 * f64::from(i)), -254.02])
        .collect();
    signed.push_all(&values);
    let points = signed.exceedance();
    assert!(points.windows(2).all(|w| w[0].0 < w[1].0), "{points:?}");
    // Its upper mean reads each side's buckets once, with the sum of
    // rank by rank.
    let n = signed.len();
    for k in [1, 50, 150, n] {
        let by_rank: f64 = (n - k..n).map(|r| signed.at_rank(r)).sum::<f64>() / k as f64;
        assert_eq!(signed.upper_mean(k), by_rank, "k {k}");
    }
}

#[test]
fn the_finder_finds_each_atom_and_nothing_else() {
    // 16 atoms, close together and far apart; their neighbours, zeros,
    // negatives, infinities and NaN are not atoms.
    let mut values: Vec<f64> = (0..12).map(|i| 0.3 * f64::from(i + 1)).collect();
    values.extend([
        1e-300,
        7.0e12,
        254.01,
        f64::from_bits(254.01f64.to_bits() + 1),
    ]);
    let s = Sketch::new(300.0).with_atoms(&values);
    assert_eq!(s.atom_values().len(), MAX_ATOMS);
    for (i, a) in s.atoms.iter().enumerate() {
        assert_eq!(s.finder.find(a.value), i + 1, "atom {}", a.value);
        let up = f64::from_bits(a.value.to_bits() + 1);
        let down = f64::from_bits(a.value.to_bits() - 1);
        assert_eq!(s.finder.find(-a.value), 0);
        if !values.contains(&up) {
            assert_eq!(s.finder.find(up), 0, "{up}");
        }
        if !values.contains(&down) {
            assert_eq!(s.finder.find(down), 0, "{down}");
        }
    }
    for x in [0.0, -0.0, f64::INFINITY, f64::NAN, 1.0, 300.0] {
        assert_eq!(s.finder.find(x), 0, "{x}");
    }
    assert_eq!(Sketch::new(300.0).finder.find(0.0), 0);
}
