import { relative } from 'node:path'
import { createProject } from '../../create/create-project.ts'
import { paint } from '../print-banner.ts'

/** `motia-like create DIR`: a new project from a template, then the two commands to run next. */
export async function create(dir: string, flags: { template?: string }): Promise<void> {
  const project = createProject({ dir, ...(flags.template ? { template: flags.template } : {}) })
  const where = relative(process.cwd(), project.dir)
  const install = where ? `cd ${where.includes(' ') ? JSON.stringify(where) : where} && npm install` : 'npm install'
  process.stdout.write(
    [
      `Created ${where || 'the project'} from the ${project.template} template (motia-like ${project.dependency}).`,
      '',
      'Next:',
      `  ${paint('cyan', install)}`,
      `  ${paint('cyan', 'npm run dev')}`,
      '',
    ].join('\n'),
  )
}
