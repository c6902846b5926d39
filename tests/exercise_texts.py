"""Exercise files as a lecturer writes them, shared by the tests of `--exercise-file`
(dedent before writing: the texts are indented like the tests around them)."""

LECTURER = """
    title = "A lecturer's copy: 1.7 nA"
    question = "The chapter's cell at 1.7 nA: does it fire?"
    lab = "lif"
    preset = "chapter"
    duration_ms = 200
    explanation = "V_inf = -70 + 10 * 1.7 = -53 mV lies above V_thresh = -54 mV: it fires."
    [params]
    I_ext_nA = 1.7
    [[options]]
    text = "It fires"
    when = "spike_count > 0"
    [[options]]
    text = "It stays silent"
    when = "spike_count == 0"
    """

PAIRED = """
    question = "tau_m 20 ms against 40 ms: which fires faster?"
    lab = "lif"
    pair = "ex1"
    explanation = "A: the time to threshold grows with tau_m."
    [[options]]
    text = "A"
    when = "a.isi_rate_hz > b.isi_rate_hz"
    [[options]]
    text = "B"
    when = "a.isi_rate_hz <= b.isi_rate_hz"
    """
