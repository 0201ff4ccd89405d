// Browser mode without a session (a used, expired or missing link): one page that says what
// happened and what to do, instead of an app whose every call would be refused.
import { SESSION_PROBLEMS, type SessionProblem as Problem } from '../../shared/browser-protocol';
import { useColorScheme } from './hooks/useColorScheme';

export function SessionProblem({ problem }: { problem: Problem }) {
  const scheme = useColorScheme();
  const { title, detail } = SESSION_PROBLEMS[problem];
  return (
    <div className={`vs-app theme-${scheme}`}>
      <main style={{ margin: 'auto', maxWidth: '36em', padding: 24, lineHeight: 1.5 }} data-testid="session-problem" data-problem={problem}>
        <h1>{title}</h1>
        <p>{detail}</p>
      </main>
    </div>
  );
}
