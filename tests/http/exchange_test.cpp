#include "http/exchange.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace atrium::http {
namespace {

namespace bhttp = boost::beast::http;

TEST(exchange, header_lookup_is_case_insensitive_and_takes_the_first_match) {
  request r;
  r.headers = {{"X-Amz-Date", "first"}, {"x-amz-date", "second"}, {"Host", "h"}};
  ASSERT_NE(r.header("X-AMZ-DATE"), nullptr);
  EXPECT_EQ(*r.header("x-amz-date"), "first");
  EXPECT_EQ(*r.header("host"), "h");
  EXPECT_EQ(r.header("x-amz"), nullptr);
  EXPECT_EQ(r.header(""), nullptr);
}

TEST(exchange, path_drops_the_query_string) {
  EXPECT_EQ(path_of("/a/b?X-Amz-Signature=abc"), "/a/b");
  EXPECT_EQ(path_of("/a/b"), "/a/b");
  EXPECT_EQ(path_of("?x"), "");
}

TEST(exchange, to_request_keeps_headers_in_order) {
  beast_request in{bhttp::verb::post, "/p?q=1", 11};
  in.insert("B-Header", "2");
  in.insert("A-Header", "1");
  in.body() = "payload";
  auto r = to_request(std::move(in), "10.0.0.1", "id-1");
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/p?q=1");
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0].first, "B-Header");
  EXPECT_EQ(r.headers[1].first, "A-Header");
  EXPECT_EQ(r.body, "payload");
  EXPECT_EQ(r.remote_ip, "10.0.0.1");
  EXPECT_EQ(r.request_id, "id-1");
}

TEST(exchange, builtin_routes_are_get_healthz_and_metrics) {
  metrics_registry m;
  m.observe("x", 200, std::chrono::microseconds(5));
  request r;
  r.method = "GET";
  r.target = "/healthz?probe=1";
  auto health = builtin_route(r, m);
  ASSERT_TRUE(health);
  EXPECT_EQ(health->body, R"({"status":"ok"})");
  EXPECT_EQ(health->operation, "healthz");
  r.target = "/metrics";
  auto metrics = builtin_route(r, m);
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->content_type, "text/plain; version=0.0.4");
  EXPECT_EQ(metrics->operation, "metrics");
  EXPECT_NE(metrics->body.find("atrium_http_requests_total"), std::string::npos);
  r.method = "POST";
  EXPECT_FALSE(builtin_route(r, m));
  r.method = "GET";
  r.target = "/healthz/more";
  EXPECT_FALSE(builtin_route(r, m));
}

TEST(exchange, read_errors_map_to_413_431_400_or_silence) {
  EXPECT_EQ(read_error_response(bhttp::error::body_limit)->status, 413);
  EXPECT_EQ(read_error_response(bhttp::error::header_limit)->status, 431);
  EXPECT_EQ(read_error_response(bhttp::error::bad_method)->status, 400);
  EXPECT_EQ(read_error_response(bhttp::error::bad_content_length)->status, 400);
  EXPECT_EQ(read_error_response(bhttp::error::body_limit)->error_code, "RequestEntityTooLarge");
  EXPECT_FALSE(read_error_response(bhttp::error::end_of_stream));
  EXPECT_FALSE(read_error_response(bhttp::error::partial_message));
  EXPECT_FALSE(read_error_response(boost::beast::error::timeout));
  EXPECT_FALSE(read_error_response(make_error_code(boost::system::errc::connection_reset)));
}

TEST(exchange, internal_error_body_is_the_aws_shape) {
  auto r = internal_error_response();
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"__type":"InternalServerException","message":"Internal server error"})");
  EXPECT_EQ(r.error_code, "InternalServerException");
}

TEST(exchange, to_beast_sets_server_headers_and_keeps_framing_its_own) {
  response r;
  r.status = 200;
  r.content_type = "text/plain";
  r.headers = {{"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}, {"Content-Length", "1"},
               {"Connection", "keep-alive"}, {"X-Bad", "v\r\nInjected: yes"}, {"Server", "Custom"}};
  r.body = "hello";
  auto out = to_beast(r, "rid", 11, false);
  EXPECT_EQ(out[bhttp::field::server], "Custom");
  EXPECT_EQ(out[bhttp::field::content_type], "text/plain");
  EXPECT_EQ(out["x-amzn-RequestId"], "rid");
  EXPECT_EQ(out[bhttp::field::content_length], "5");
  EXPECT_EQ(out.count(bhttp::field::set_cookie), 2u);
  EXPECT_EQ(out.count("X-Bad"), 0u);
  EXPECT_EQ(out.count("Injected"), 0u);
  EXPECT_FALSE(out.keep_alive());
}

TEST(exchange, to_beast_repairs_statuses_that_cannot_be_sent) {
  response r;
  r.status = 204;
  r.body = "ignored";
  auto no_content = to_beast(r, "rid", 11, true);
  EXPECT_EQ(no_content.result_int(), 204u);
  EXPECT_EQ(no_content.body(), "");
  r.status = 42;
  EXPECT_EQ(to_beast(r, "rid", 11, true).result_int(), 500u);
  r.status = 101;
  EXPECT_EQ(to_beast(r, "rid", 11, true).result_int(), 500u);
}

TEST(exchange, handler_can_ask_to_close) {
  response r;
  EXPECT_FALSE(asks_to_close(r));
  r.headers = {{"connection", " Close"}};
  EXPECT_TRUE(asks_to_close(r));
}

TEST(exchange, access_log_line_is_json_members_without_the_query) {
  access_record rec{.request_id = "rid",
                    .method = "GET",
                    .target = "/p?X-Amz-Signature=secret",
                    .remote_ip = "127.0.0.1",
                    .operation = "op",
                    .error_code = "",
                    .status = 200,
                    .duration_ms = 1.5};
  auto line = access_log_fields(rec);
  EXPECT_EQ(line.find("secret"), std::string::npos);
  auto j = nlohmann::json::parse("{" + line + "}");
  EXPECT_EQ(j["msg"], "request");
  EXPECT_EQ(j["path"], "/p");
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["duration_ms"], 1.5);
  EXPECT_EQ(j["error_code"], "");
  rec.target = "/\xff\xfe";  // not UTF-8: still a valid JSON line
  EXPECT_TRUE(nlohmann::json::accept("{" + access_log_fields(rec) + "}"));
}

}  // namespace
}  // namespace atrium::http
