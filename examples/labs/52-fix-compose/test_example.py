"""Lab 52 (fix-compose): every case of cases.yaml on the engine, judged by the page's checker (course.labs)."""

from course.labs import engine_test

test_cases_on_the_engine = engine_test(__file__)
