// The mode the program runs in: Node.js libraries read NODE_ENV the same way.
export function mode(env) {
  return env.NODE_ENV === 'production' ? 'production' : 'development';
}
