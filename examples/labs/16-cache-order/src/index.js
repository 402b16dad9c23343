// The program: one line, so that an edit to it is a one-line change.
console.log('Hello from a well-ordered image');
