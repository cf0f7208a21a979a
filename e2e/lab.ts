// E2E helpers: the lab's control verbs, as an operator would use them (the same as the lab tests').
export { ctl } from '../server/testing/lab-ctl';
