import { MotiaError } from '../errors.ts'

/** A CLI failure a user can fix: printed as one line, exit code 1. */
export class CliError extends MotiaError {
  constructor(message: string) {
    super('CLI_ERROR', message)
    this.name = 'CliError'
  }
}
