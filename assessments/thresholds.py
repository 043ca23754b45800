"""Clinical thresholds: every number a rule turns on, in one table, with why.

The scoring engine, the questionnaire's skip rules and the programme builder import these,
so that a threshold is changed in one place. The facts behind them, with their sources,
are in ../shared/CLINICAL.md; "our rule" marks a product decision built on them. Pure
Python, no imports.
"""

# --- Pain, 0 to 10 ----------------------------------------------------------------------------

# A flare-up: a rest day, no movement checks (a flare is not a fair test) and no exercise
# cautioned for flares (our rule).
FLARE_PAIN = 7
# Pain this high right now: book an appointment (routine tier).
HIGH_PAIN = 8
# At or below this, pain has settled: never "not improving", never "worse than the start".
SETTLED_PAIN = 1
# A check-in this many points above the start is a bad day: a rest day (our rule for runs).
PAIN_RISE_REST = 2
# Worse than the start: pain above it (and above settled) at this many of the latest check-ins.
# Two of three, so that readings going 4, 3, 4 from a start of 3 are seen too, while one bad
# day stays a rest day (our rule, from CLINICAL.md's "worse than at the start").
WORSE_AT, WORSE_OF = 2, 3

# A meaningful improvement: pain down by 2 points or 30% from the start (the consensus of
# back-pain trials).
MEANINGFUL_DROP_POINTS = 2
MEANINGFUL_DROP_SHARE = 0.3

# --- Weeks of home care without a meaningful improvement --------------------------------------

SUGGEST_PHYSIO_WEEKS = 2  # worth suggesting a physiotherapist
URGENT_NOT_IMPROVING_WEEKS = 4  # with age 50 or over (or a past cancer): urgent
SEE_PROFESSIONAL_WEEKS = 6  # routine see-a-professional flag
PERSISTENT_PAIN_WEEKS = 12  # pain for longer is "persistent": a routine flag

# --- Running load ---------------------------------------------------------------------------

# More than 30% more weekly distance over two weeks went with more injuries in novice runners:
# a rest day and "hold your distance" (our rule). The questionnaire asks it as a choice; the
# builder measures it from the distances reported at check-ins.
LOAD_JUMP_SHARE = 0.3
# Weekly distance from which running volume adds to tight hamstrings and calves (our rule).
HIGH_MILEAGE_KM = 40
KM_PER_MILE = 1.609

# --- Sitting and driving ----------------------------------------------------------------------

# A break to stand, move and stretch every 30 to 45 minutes of sitting (our rule).
SITTING_BREAK_MINUTES = (30, 45)

# No agreed hours-per-day threshold exists (CLINICAL.md): our rule.
LONG_SITTING_HOURS = 6
VERY_LONG_SITTING_HOURS = 9
LONG_DRIVING_HOURS = 2

# --- Movement checks ----------------------------------------------------------------------------

PLANK_LOW_SECONDS = 30  # under this, low trunk endurance
PLANK_RUNNER_SECONDS = 60  # under this, below what runners need
SIDE_PLANK_LOW_SECONDS = 20  # the weaker side under this
SIDE_PLANK_GAP_SHARE = 0.25  # sides differing by a quarter of the longer hold...
SIDE_PLANK_GAP_FROM_SECONDS = 10  # ...once a hold reaches 10 s
KNEE_TO_WALL_CM = 10  # under this, a stiff ankle (our rule)
# A tight muscle group scoring this much makes massage or rolling worth suggesting (our rule).
MASSAGE_FROM_SCORE = 40

# --- Inflammatory back pain (NICE NG65) -----------------------------------------------------------

# Pain for over 3 months that began before 45, with this many features: NICE refers at 4 and
# tests at 3; a self-check cannot test, so 3 already asks about a referral (our rule).
INFLAMMATORY_FEATURES_AT_LEAST = 3
