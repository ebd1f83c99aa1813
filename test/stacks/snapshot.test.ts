import { normalizedTemplate, synthStage } from '../helpers/app';

// One snapshot per stack and stage. Asset hashes are normalized, so editing a handler does not churn
// these; any change to the infrastructure itself shows up here for review (`npx jest -u` to accept).
describe.each(['dev', 'prod'] as const)('%s stacks', (stage) => {
  const { templates } = synthStage(stage);
  test.each(Object.keys(templates) as Array<keyof typeof templates>)('%s stack matches its snapshot', (name) => {
    expect(normalizedTemplate(templates[name])).toMatchSnapshot();
  });
});
