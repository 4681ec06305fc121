# frozen_string_literal: true

require 'json'

module MotiaLikeWorker
  # The protocol lines a worker writes, and the context calls waiting for Node's reply. Safe from
  # any thread: each invocation runs in its own.
  class Channel
    RUNTIME_ERRORS = {
      'EmitNotDeclaredError' => MotiaLike::EmitNotDeclaredError,
      'ValidationError' => MotiaLike::ValidationError
    }.freeze

    def initialize(output)
      @output = output
      @write_lock = Mutex.new
      @calls_lock = Mutex.new
      @waiting = {}
      @next_call = 0
    end

    # JSON of one message; raises for what JSON cannot hold (NaN, invalid UTF-8).
    def encode(message)
      "#{JSON.generate(message)}\n"
    end

    # Writes whole lines only: an interrupt (a timeout's Thread#raise) waits until the line is out.
    def write(line)
      Thread.handle_interrupt(Exception => :never) do
        @write_lock.synchronize do
          @output.write(line)
          @output.flush
        end
      end
    end

    def send_message(message)
      write(encode(message))
    end

    # Sends a log line; a log never fails, so values JSON cannot hold are sent as their text.
    def log(invocation, level, msg, meta = nil, file = nil)
      message = { t: 'log', inv: invocation, level: level, msg: msg.to_s }
      message[:file] = file if file
      message[:meta] = meta.is_a?(Hash) ? meta : { meta: meta } unless meta.nil?
      line = begin
        encode(message)
      rescue StandardError
        encode(message.merge(meta: { meta: meta.inspect }))
      end
      write(line)
    end

    # A context call of an invocation: sends it and blocks the calling thread until Node replies.
    def call(invocation, method, args)
      queue = Queue.new
      id = @calls_lock.synchronize do
        @next_call += 1
        @waiting[@next_call] = queue
        @next_call
      end
      begin
        # Encoded first, so a value JSON cannot hold raises at the handler's line.
        write(encode({ t: 'call', id: id, inv: invocation, method: method, args: args }))
        reply = queue.pop
      ensure
        @calls_lock.synchronize { @waiting.delete(id) }
      end
      return reply['value'] if reply['ok']

      error = reply['error'] || {}
      kind = RUNTIME_ERRORS.fetch(error['name'], MotiaLike::MotiaError)
      raise kind.new(error.fetch('message', 'context call failed'), code: error.fetch('code', 'MOTIA_ERROR'), call_id: id)
    end

    # Node's reply to a context call wakes the thread that made it.
    def settle(message)
      queue = @calls_lock.synchronize { @waiting[message['id']] }
      queue&.push(message)
    end
  end
end
