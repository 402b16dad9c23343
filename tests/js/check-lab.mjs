// The page's lab checker (docs/assets/javascripts/labs.js) as a command, for the Python tests
// and the engine harness (scripts/course/labs.py): one implementation, no port.
// Reads a JSON list of jobs on stdin, [{spec, pastes: [text, ...], answers: {command: text}}],
// and prints the list of verdicts, [{passed, message, criteria, asks}], as JSON.
import { readFileSync } from "node:fs";
import { load } from "./load.mjs";

const course = load("labs");
const jobs = JSON.parse(readFileSync(0, "utf8"));
const verdicts = jobs.map((job) => course.labs.check(job.spec, job.pastes, job.answers || {}));
process.stdout.write(JSON.stringify(verdicts));
