# frozen_string_literal: true

# Worker process that runs Ruby step files for the motia-like runtime.
#
# Node starts a few of these and speaks newline-delimited JSON with them: requests arrive on stdin,
# answers leave on a private copy of the original stdout. File descriptor 1 is pointed at stderr and
# $stdout at the invocation's logger, so nothing a handler prints can corrupt the protocol. Each
# invocation runs in its own thread, so many jobs interleave inside one worker; what a handler does
# through its context (emit, state, logger) is a call back to Node, which runs it through the real
# context of that invocation. Standard library only (Bundler when the project has a Gemfile).

PROTOCOL_IN = $stdin.dup
PROTOCOL_OUT = $stdout.dup
PROTOCOL_OUT.binmode
# A handler reading stdin reads nothing, and anything written to fd 1 lands on stderr.
$stdin.reopen(File::NULL)
$stdout.reopen($stderr)

$LOAD_PATH.unshift(File.join(__dir__, 'lib'))
require 'motia_like'
%w[channel context stdout_logger loader watchdog invoker].each { |name| require_relative "worker/#{name}" }

# The project's gems, as `bundle exec` would set them up; a failure is the load error of every step.
def setup_gems(project_dir)
  gemfile = project_dir && %w[Gemfile gems.rb].map { |name| File.join(project_dir, name) }.find { |path| File.file?(path) }
  return nil unless gemfile

  ENV['BUNDLE_GEMFILE'] ||= gemfile
  require 'bundler/setup'
  nil
rescue Exception => e # Bundler raises its own errors, and SystemExit when it gives up
  detail = e.message.lines.first.to_s.strip
  MotiaLikeWorker::LoadFailure.new('setup', "the project's Gemfile cannot be set up (#{detail}). Run bundle install in the project")
end

# Repeated helper requires in a reload generation redefine their constants: not worth a warning.
module MotiaLikeWorker
  # Drops the warnings a helper required again in a new reload generation produces.
  module QuietReloads
    class << self
      attr_accessor :loader
    end

    def warn(message, *rest, **options)
      reloading = QuietReloads.loader&.reloading?
      return if reloading && message.match?(/already initialized constant|previous definition of/)

      super
    end
  end
end
Warning.singleton_class.prepend(MotiaLikeWorker::QuietReloads)

project_dir = ENV.fetch('MOTIA_PROJECT_DIR', nil)
channel = MotiaLikeWorker::Channel.new(PROTOCOL_OUT)
printer = MotiaLikeWorker::StdoutLogger.new(channel)
$stdout = printer
loader = MotiaLikeWorker::Loader.new(project_dir, setup_gems(project_dir))
MotiaLikeWorker::QuietReloads.loader = loader
invoker = MotiaLikeWorker::Invoker.new(channel, loader, printer)

def answer_load(channel, loader, message)
  channel.send_message({ t: 'done', id: message['id'], ok: true, value: loader.load(message) })
rescue Exception => e # a step's top level may raise anything
  failure = e.is_a?(MotiaLikeWorker::LoadFailure) ? e : MotiaLikeWorker::LoadFailure.new('import', "#{e.class}: #{e.message}")
  error = { code: 'LOAD_FAILED', kind: failure.kind, message: failure.message, line: failure.line }
  channel.send_message({ t: 'done', id: message['id'], ok: false, error: error })
end

while (line = PROTOCOL_IN.gets)
  begin
    message = JSON.parse(line)
    case message['t']
    when 'reply' then channel.settle(message)
    when 'invoke' then invoker.invoke(message)
    when 'load' then answer_load(channel, loader, message)
    end
  rescue StandardError => e # a message this worker cannot read must not stop the others
    channel.log(nil, 'error', "Ruby worker could not handle a message: #{e.class}: #{e.message}")
  end
end
# Node closed stdin: leave at once, without waiting for handlers still running.
PROTOCOL_OUT.flush
exit!(0)
