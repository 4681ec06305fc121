# frozen_string_literal: true

module MotiaLikeWorker
  # Runs each invocation in its own thread, so a handler waiting on a context call (or on I/O)
  # never holds up the others, and answers every invocation exactly once.
  class Invoker
    def initialize(channel, loader, printer)
      @channel = channel
      @loader = loader
      @printer = printer
      @watchdog = Watchdog.new
      @runner_dir = File.dirname(__dir__) + File::SEPARATOR
    end

    def invoke(message)
      step = @loader.step(message['file'], message['version'])
      return not_loaded(message['id']) unless step

      Thread.new { answer(message, step) }
    end

    private

    def not_loaded(id)
      @channel.send_message({ t: 'done', id: id, ok: false, error: { code: 'NOT_LOADED', message: 'not loaded' } })
    end

    # A timeout interrupts only the handler itself: never the answer, never half a protocol line.
    def answer(message, step)
      id = message['id']
      Thread.current.thread_variable_set(:motia_invocation, id)
      Thread.handle_interrupt(MotiaLike::HandlerTimeout => :never) do
        @watchdog.watch(Thread.current, message['timeoutMs']) if message['timeoutMs']
        outcome = begin
          Thread.handle_interrupt(MotiaLike::HandlerTimeout => :immediate) { [true, run(message, step)] }
        rescue Exception => e # a handler may raise anything, SystemExit included
          [false, e]
        ensure
          @watchdog.release(Thread.current)
        end
        @printer.finish(id)
        send_outcome(id, *outcome)
      end
    rescue MotiaLike::HandlerTimeout
      # The deadline passed as the handler returned: its answer is already sent.
    end

    def send_outcome(id, ok, value)
      # Encoded before anything is written: a value JSON cannot hold fails the invocation.
      line = ok ? @channel.encode({ t: 'done', id: id, ok: true, value: value }) : failure(id, value)
      @channel.write(line)
    rescue StandardError => e
      @channel.write(failure(id, e))
    end

    def failure(id, error)
      @channel.encode({ t: 'done', id: id, ok: false, error: describe(error) })
    end

    # The handler with the arguments its kind takes; a cron handler written (input, context) gets {}.
    def run(message, step)
      context = Context.new(@channel, message['id'], message['traceId'])
      args = message.fetch('args', [])
      case message['kind']
      when 'api' then step.handler(Request.new(args.first || {}), context)
      when 'cron' then two_arguments?(step.method(:handler)) ? step.handler({}, context) : step.handler(context)
      else step.handler(*args, context)
      end
    end

    def two_arguments?(method)
      kinds = method.parameters.map(&:first)
      kinds.include?(:rest) || kinds.count { |kind| %i[req opt].include?(kind) } >= 2
    end

    def describe(error)
      described = { name: error_name(error), message: text(error.message), traceback: text(backtrace_of(error)) }
      described[:callId] = error.call_id if error.is_a?(MotiaLike::MotiaError) && error.call_id
      described
    end

    # Classes a step file defines live in its anonymous module: "#<Module:0x...>::ReportError" reads as "ReportError".
    def error_name(error)
      return 'NonRetriableError' if error.is_a?(MotiaLike::NonRetriableError)

      (error.class.name || 'Error').sub(/\A(#<Module:0x\h+>::)+/, '')
    end

    # Exception messages may carry bytes that are not UTF-8; JSON needs them to be.
    def text(value)
      value.to_s.dup.force_encoding(Encoding::UTF_8).scrub
    end

    # The backtrace from the handler down, without the frames of this worker.
    def backtrace_of(error)
      frames = (error.backtrace || []).reject { |frame| frame.start_with?(@runner_dir) }
      frames.each_with_index.map { |frame, index| index.zero? ? frame : "\tfrom #{frame}" }.join("\n")
    end
  end
end
