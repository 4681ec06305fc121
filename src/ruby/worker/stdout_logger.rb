# frozen_string_literal: true

require 'stringio'

module MotiaLikeWorker
  # Stands in for $stdout: each line a handler prints (puts, print, p, $stdout.write) becomes an
  # info line of its invocation's logger; output of other threads goes to the worker's log.
  class StdoutLogger
    def initialize(channel)
      @channel = channel
      @lock = Mutex.new
      @partial = {}
    end

    def write(*parts)
      text = parts.join
      invocation = Thread.current.thread_variable_get(:motia_invocation)
      lines = @lock.synchronize do
        *complete, rest = (@partial.delete(invocation).to_s + text).split("\n", -1)
        @partial[invocation] = rest unless rest.empty?
        complete
      end
      lines.each { |line| log(invocation, line) }
      text.bytesize
    end

    # Logs what an invocation printed without a final newline, and forgets it.
    def finish(invocation)
      rest = @lock.synchronize { @partial.delete(invocation) }
      log(invocation, rest) if rest
    end

    def puts(*args) = write(render { |io| io.puts(*args) }) && nil
    def print(*args) = write(render { |io| io.print(*args) }) && nil
    def printf(*args) = write(format(*args)) && nil

    def <<(text)
      write(text.to_s)
      self
    end

    def flush = self
    def sync = true
    def sync=(_value); end
    def fsync = 0
    def tty? = false
    alias isatty tty?

    private

    def render
      io = StringIO.new
      yield io
      io.string
    end

    def log(invocation, line)
      file = invocation.nil? ? Thread.main.thread_variable_get(:motia_loading) : nil
      @channel.log(invocation, 'info', line, nil, file)
    end
  end
end
