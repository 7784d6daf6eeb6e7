//! Properties of the model over small random scenarios.

use supplyrisk::scenario::Scenario;

#[test]
fn concentration_does_not_depend_on_the_order_of_sources() {
    // Found by the property above: sources without a country were summed
    // in file order, and 4548.445066996887 became 4548.445066996886.
    let text = |order: &[usize]| {
        let caps = [
            0.0,
            73.90235564588711,
            10.447889700764588,
            96.27244381543646,
        ];
        let mut t = String::from(
            "[scenario]\nname = \"hhi\"\nstart_year = 2026\nyears = 1\n\n[[mineral]]\nid = \"m\"\nunit = \"kt\"\ndemand = { base = 1.0 }\n",
        );
        for &i in order {
            t += &format!(
                "\n[[source]]\nid = \"s{i}\"\nmineral = \"m\"\ncapacity = {:?}\n",
                caps[i]
            );
        }
        Scenario::from_toml_str(&t, "hhi.toml").unwrap()
    };
    let (a, b) = (text(&[0, 1, 2, 3]), text(&[0, 3, 1, 2]));
    let hhi = supplyrisk::concentration::hhi;
    assert_eq!(hhi(&a, 0, false).to_bits(), hhi(&b, 0, false).to_bits());
    assert_eq!(
        a.max_annual_supply(0).to_bits(),
        b.max_annual_supply(0).to_bits()
    );
}
