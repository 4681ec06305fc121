# frozen_string_literal: true

# The errors a Ruby step file uses. The worker loads this file before any step, so a step needs no
# require; `require 'motia_like'` works as well.
module MotiaLike
  # An error the runtime raised for a context call (undeclared emit, invalid data, ...).
  class MotiaError < StandardError
    attr_reader :code, :call_id

    def initialize(message = nil, code: 'MOTIA_ERROR', call_id: nil)
      super(message)
      @code = code
      @call_id = call_id
    end
  end

  # Raised by context.emit for a topic missing from the step's emits.
  class EmitNotDeclaredError < MotiaError; end

  # Raised by context.emit when the data fails a subscriber's input schema.
  class ValidationError < MotiaError; end

  # Raise it from a handler to fail the job at once, with no retry.
  class NonRetriableError < StandardError; end

  # Raised inside a handler that ran past its step's timeout. Not a StandardError, so a bare
  # `rescue` in the handler does not swallow it; `ensure` blocks run.
  class HandlerTimeout < Exception; end
end
